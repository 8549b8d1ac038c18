package dev.embassy.testsupport;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Which certificate a TLS server presents to a new connection: the check behind "a rotated
 * certificate is served without a restart". It trusts anything, since it only reads what is
 * presented, and it does not care whether the server then asks for a client certificate.
 */
public final class TlsProbe {
  private TlsProbe() {}

  public static X509Certificate servedCertificate(String host, int port) {
    AtomicReference<X509Certificate> served = new AtomicReference<>();
    TrustManager capture = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
        served.set(chain[0]);
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {capture}, null);
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
        socket.setSoTimeout(5_000);
        socket.startHandshake();
      } catch (IOException e) {
        // A server that requires a client certificate ends the handshake after presenting its own.
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not probe " + host + ":" + port, e);
    }
    if (served.get() == null) {
      throw new IllegalStateException(host + ":" + port + " presented no certificate");
    }
    return served.get();
  }
}
