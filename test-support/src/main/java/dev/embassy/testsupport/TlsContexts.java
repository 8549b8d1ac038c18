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
import javax.net.ssl.X509ExtendedKeyManager;

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
        keyManagers = new KeyManager[] {new AlwaysPresent((X509ExtendedKeyManager) factory.getKeyManagers()[0])};
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

  /**
   * Presents the one identity whatever the server asks for. The JDK's own key manager sends a
   * client certificate only when its issuer is among the CAs the server names in its
   * CertificateRequest, so a certificate from another CA would never be sent, and a test of the
   * server refusing it would test nothing.
   */
  private static final class AlwaysPresent extends X509ExtendedKeyManager {
    private final X509ExtendedKeyManager keys;

    AlwaysPresent(X509ExtendedKeyManager keys) {
      this.keys = keys;
    }

    @Override
    public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
      return "identity";
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) {
      return "identity";
    }

    @Override
    public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
      return keys.getClientAliases(keyType, null);
    }

    @Override
    public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
      return keys.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
      return keys.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) {
      return keys.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return keys.getCertificateChain(alias);
    }

    @Override
    public java.security.PrivateKey getPrivateKey(String alias) {
      return keys.getPrivateKey(alias);
    }
  }
}
