package dev.embassy.controlplane.xds;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The ADS server's TLS: its certificate and key, and for mTLS the client CAs, each read from
 * files that are re-read every {@code EMBASSY_XDS_TLS_RELOAD} ({@link ServerTlsFiles}), so a
 * rotated certificate (cert-manager, SPIRE, Vault agent rewriting the files) is served to new
 * connections without a restart. Connections already open keep the certificate they were set up
 * with.
 */
final class XdsServerTls implements AutoCloseable {
  private final ServerCredentials credentials;
  private final ScheduledFuture<?> watch;

  private XdsServerTls(ServerCredentials credentials, ScheduledFuture<?> watch) {
    this.credentials = credentials;
    this.watch = watch;
  }

  static XdsServerTls start(XdsSecurityConfig config, ScheduledExecutorService scheduler) {
    try {
      AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
      TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder().keyManager(keys);
      // Client certificates are checked against the CAs only: a client has no host name to verify.
      AdvancedTlsX509TrustManager trust = AdvancedTlsX509TrustManager.newBuilder()
          .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION).build();
      if (config.clientCa().isPresent()) {
        builder.trustManager(trust).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      ServerTlsFiles files = new ServerTlsFiles(config.certificate().orElseThrow(), config.privateKey().orElseThrow(),
          config.clientCa(), keys, trust);
      files.load();
      long period = config.reload().toMillis();
      return new XdsServerTls(builder.build(), scheduler.scheduleWithFixedDelay(files::reloadIfChanged, period, period, TimeUnit.MILLISECONDS));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot load the ADS server's TLS files (EMBASSY_XDS_TLS_CERT, _KEY, _CLIENT_CA): " + e.getMessage(), e);
    }
  }

  ServerCredentials credentials() {
    return credentials;
  }

  @Override
  public void close() {
    watch.cancel(false);
  }
}
