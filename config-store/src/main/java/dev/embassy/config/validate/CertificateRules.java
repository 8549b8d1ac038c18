package dev.embassy.config.validate;

import dev.embassy.config.model.Certificate;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM checks. Error details never quote the submitted material: it may be a private key. */
final class CertificateRules {
  private static final Pattern KEY_BLOCK =
      Pattern.compile("-----BEGIN (PRIVATE KEY|RSA PRIVATE KEY|EC PRIVATE KEY)-----\\s*([A-Za-z0-9+/=\\s]+)-----END \\1-----\\s*");
  private static final int MAX_PEM = 64 * 1024;

  private CertificateRules() {}

  static void check(Certificate certificate, Violations v) {
    if (Checks.required(v, "certificateChain", certificate.certificateChain())) {
      if (certificate.certificateChain().length() > MAX_PEM) {
        v.add("certificateChain", "at most 64 KiB");
      } else {
        try {
          var certs = CertificateFactory.getInstance("X.509").generateCertificates(
              new ByteArrayInputStream(certificate.certificateChain().getBytes(StandardCharsets.US_ASCII)));
          if (certs.isEmpty()) {
            v.add("certificateChain", "contains no PEM certificate");
          }
        } catch (CertificateException e) {
          v.add("certificateChain", "is not a PEM X.509 certificate chain");
        }
      }
    }
    certificate.privateKey().ifPresent(key -> {
      Matcher block = KEY_BLOCK.matcher(key.strip() + "\n");
      boolean valid = key.length() <= MAX_PEM && block.matches();
      if (valid) {
        try {
          Base64.getMimeDecoder().decode(block.group(2));
        } catch (IllegalArgumentException e) {
          valid = false;
        }
      }
      if (!valid) {
        v.add("privateKey", "must be one PEM private key block (PKCS#8, RSA or EC)");
      }
    });
  }
}
