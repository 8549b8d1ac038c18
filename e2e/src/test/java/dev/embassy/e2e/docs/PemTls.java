package dev.embassy.e2e.docs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * curl's {@code --cacert}, {@code --cert} and {@code --key} as a JDK {@link SSLContext}: the PEM
 * files a page has the reader save, read as curl reads them (a CA bundle; a certificate chain and
 * its PKCS#8 EC or RSA key).
 */
final class PemTls {
  private static final char[] PASSWORD = "docs".toCharArray();

  private PemTls() {}

  static SSLContext context(CurlCommand.Tls tls, Path workDir) throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    int i = 0;
    for (Certificate ca : certificates(workDir.resolve(tls.caCertificate()))) {
      trust.setCertificateEntry("ca-" + i++, ca);
    }
    TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    KeyManagerFactory keyManagers = null;
    if (tls.certificate().isPresent()) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("client", key(workDir.resolve(tls.key().orElseThrow())), PASSWORD,
          certificates(workDir.resolve(tls.certificate().get())).toArray(Certificate[]::new));
      keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, PASSWORD);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
    return context;
  }

  private static java.util.Collection<? extends Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
  }

  private static PrivateKey key(Path file) throws IOException, GeneralSecurityException {
    String pem = Files.readString(file);
    if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new GeneralSecurityException(file.getFileName() + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY)");
    }
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").strip());
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    Optional<PrivateKey> key = Optional.empty();
    for (String algorithm : new String[] {"EC", "RSA", "Ed25519"}) {
      try {
        key = Optional.of(KeyFactory.getInstance(algorithm).generatePrivate(spec));
        break;
      } catch (java.security.spec.InvalidKeySpecException e) {
        // another algorithm's key
      }
    }
    return key.orElseThrow(() -> new GeneralSecurityException(file.getFileName() + " holds no EC, RSA or Ed25519 key"));
  }
}
