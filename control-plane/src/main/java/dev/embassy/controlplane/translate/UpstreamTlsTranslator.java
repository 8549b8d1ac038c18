package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import dev.embassy.config.model.Cluster;
import dev.embassy.controlplane.ir.UpstreamCluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.Optional;

/**
 * TLS to upstreams. The server certificate is always verified: against the cluster's CA
 * certificate (sent as an SDS secret) or, without one, the system trust store. Envoy's own
 * default is to verify nothing, which no gateway should ship.
 */
final class UpstreamTlsTranslator {
  /** Debian's and Alpine's CA bundle; the Envoy images ship it at the same path. */
  static final String SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

  private UpstreamTlsTranslator() {}

  static Optional<TransportSocket> transportSocket(Cluster cluster) {
    return cluster.tls().map(tls -> {
      CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
      if (tls.caCertificateRef().isPresent()) {
        common.setValidationContextSdsSecretConfig(TrustSecrets.reference(tls.caCertificateRef().get()));
      } else {
        common.setValidationContext(CertificateValidationContext.newBuilder()
            .setTrustedCa(DataSource.newBuilder().setFilename(SYSTEM_CA_BUNDLE)));
      }
      UpstreamTlsContext.Builder context = UpstreamTlsContext.newBuilder().setCommonTlsContext(common);
      tls.sni().ifPresent(context::setSni);
      return TransportSocket.newBuilder()
          .setName("envoy.transport_sockets.tls")
          .setTypedConfig(Any.pack(context.build()))
          .build();
    });
  }

  /** The SDS secret holding the CA certificate a cluster verifies its upstream against. */
  static Optional<Secret> trustSecret(UpstreamCluster cluster) {
    return cluster.cluster().tls().flatMap(Cluster.UpstreamTls::caCertificateRef).flatMap(ref ->
        cluster.trustedCaPem().map(pem -> TrustSecrets.of(ref, pem)));
  }
}
