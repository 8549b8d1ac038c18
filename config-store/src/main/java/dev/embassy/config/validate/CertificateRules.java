package dev.embassy.config.validate;

import dev.embassy.config.model.Certificate;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
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
    X509Certificate leaf = null;
    if (Checks.required(v, "certificateChain", certificate.certificateChain())) {
      if (certificate.certificateChain().length() > MAX_PEM) {
        v.add("certificateChain", "at most 64 KiB");
      } else {
        try {
          var certs = CertificateFactory.getInstance("X.509").generateCertificates(
              new ByteArrayInputStream(certificate.certificateChain().getBytes(StandardCharsets.US_ASCII)));
          if (certs.isEmpty()) {
            v.add("certificateChain", "contains no PEM certificate");
          } else {
            leaf = (X509Certificate) certs.iterator().next();
          }
        } catch (CertificateException e) {
          v.add("certificateChain", "is not a PEM X.509 certificate chain");
        }
      }
    }
    X509Certificate first = leaf;
    certificate.privateKey().ifPresent(key -> {
      Matcher block = KEY_BLOCK.matcher(key.strip() + "\n");
      byte[] der = null;
      if (key.length() <= MAX_PEM && block.matches()) {
        try {
          der = Base64.getMimeDecoder().decode(block.group(2));
        } catch (IllegalArgumentException e) {
          der = null;
        }
      }
      if (der == null || der.length < 2) {
        v.add("privateKey", "must be one PEM private key block (PKCS#8, RSA or EC)");
      } else if (first != null) {
        // Only a certificate with a key is served by a listener; a CA certificate may be anything.
        ServerKeyPair.check(first, block.group(1), der, v);
      }
    });
  }
}
