package dev.embassy.controlplane.xds;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The ADS server's TLS: its certificate and key, and for mTLS the client CAs, each read from
 * files that grpc-java's advanced TLS managers re-read when they change, so a rotated certificate
 * (cert-manager, SPIRE, Vault agent rewriting the files) is served to new connections without a
 * restart. Connections already open keep the certificate they were set up with.
 */
final class XdsServerTls implements AutoCloseable {
  private final ServerCredentials credentials;
  private final List<AutoCloseable> watches;

  private XdsServerTls(ServerCredentials credentials, List<AutoCloseable> watches) {
    this.credentials = credentials;
    this.watches = watches;
  }

  static XdsServerTls start(XdsSecurityConfig config, ScheduledExecutorService scheduler) {
    long period = config.reload().toMillis();
    List<AutoCloseable> watches = new ArrayList<>();
    try {
      AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
      // The first read happens here, so a missing or unreadable file fails start-up, not the first handshake.
      watches.add(keys.updateIdentityCredentials(config.certificate().orElseThrow().toFile(), config.privateKey().orElseThrow().toFile(),
          period, TimeUnit.MILLISECONDS, scheduler));
      TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder().keyManager(keys);
      if (config.clientCa().isPresent()) {
        // Client certificates are checked against the CAs only: a client has no host name to verify.
        AdvancedTlsX509TrustManager trust = AdvancedTlsX509TrustManager.newBuilder()
            .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION).build();
        watches.add(trust.updateTrustCredentials(config.clientCa().get().toFile(), period, TimeUnit.MILLISECONDS, scheduler));
        builder.trustManager(trust).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      return new XdsServerTls(builder.build(), watches);
    } catch (IOException | GeneralSecurityException e) {
      closeAll(watches);
      throw new IllegalArgumentException("cannot load the ADS server's TLS files (EMBASSY_XDS_TLS_CERT, _KEY, _CLIENT_CA): " + e.getMessage(), e);
    }
  }

  ServerCredentials credentials() {
    return credentials;
  }

  @Override
  public void close() {
    closeAll(watches);
  }

  private static void closeAll(List<AutoCloseable> watches) {
    for (AutoCloseable watch : watches) {
      try {
        watch.close();
      } catch (Exception e) {
        // Only cancels a scheduled file check.
      }
    }
  }
}
