package dev.embassy.testsupport;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * JDK {@link SSLContext}s from {@link TestCertificates}: the side that presents a certificate
 * (a TLS backend, or a client with a client certificate) and the CA the other side trusts. Only
 * in-memory key stores; nothing is written.
 */
public final class TlsContexts {
  private static final char[] PASSWORD = "test".toCharArray();

  private TlsContexts() {}

  /** Presents {@code identity} (a server certificate) and trusts nobody: a backend that takes no client certificates. */
  public static SSLContext server(TestCertificates.Issued identity) {
    return context(Optional.of(identity), Optional.empty());
  }

  /** Trusts {@code trusted} and, when given, presents {@code identity} as a client certificate. */
  public static SSLContext client(X509Certificate trusted, Optional<TestCertificates.Issued> identity) {
    return context(identity, Optional.of(trusted));
  }

  private static SSLContext context(Optional<TestCertificates.Issued> identity, Optional<X509Certificate> trusted) {
    try {
      KeyManager[] keyManagers = null;
      if (identity.isPresent()) {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("identity", identity.get().key(), PASSWORD,
            new Certificate[] {identity.get().x509(), identity.get().issuer()});
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, PASSWORD);
        keyManagers = factory.getKeyManagers();
      }
      javax.net.ssl.TrustManager[] trustManagers = null;
      if (trusted.isPresent()) {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", trusted.get());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        trustManagers = factory.getTrustManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers, trustManagers, null);
      return context;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("could not build a TLS context from test certificates", e);
    }
  }
}
