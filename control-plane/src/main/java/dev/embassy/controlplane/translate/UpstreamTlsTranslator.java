package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import dev.embassy.config.model.Cluster;
import dev.embassy.controlplane.ir.UpstreamCluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;
import java.util.Optional;

/**
 * TLS to upstreams. The server certificate is always verified: against the cluster's CA
 * certificate (sent as an SDS secret) or, without one, the system trust store. Envoy's own
 * default is to verify nothing, which no gateway should ship.
 *
 * <p>A trusted chain is not enough: any certificate the CA (or any public CA, with the system
 * bundle) ever issued would do. So the certificate must also carry one of the cluster's subject
 * alt names, or, when it names none, the SNI name as a DNS SAN, which is what an HTTPS client
 * checks. Envoy checks neither unless told; with neither an SNI name nor SANs only the chain is.
 */
final class UpstreamTlsTranslator {
  /** Debian's and Alpine's CA bundle; the Envoy images ship it at the same path. */
  static final String SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

  private UpstreamTlsTranslator() {}

  static Optional<TransportSocket> transportSocket(Cluster cluster) {
    return cluster.tls().map(tls -> {
      CertificateValidationContext.Builder matchers = CertificateValidationContext.newBuilder()
          .addAllMatchTypedSubjectAltNames(subjectAltNames(tls));
      CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
      if (tls.caCertificateRef().isPresent()) {
        // The CA comes over SDS, alone in its secret (shared with other users of the CA); the
        // matchers of this cluster sit beside it, and Envoy merges the two.
        common.setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
            .setDefaultValidationContext(matchers)
            .setValidationContextSdsSecretConfig(TrustSecrets.reference(tls.caCertificateRef().get())));
      } else {
        common.setValidationContext(matchers.setTrustedCa(DataSource.newBuilder().setFilename(SYSTEM_CA_BUNDLE)));
      }
      UpstreamTlsContext.Builder context = UpstreamTlsContext.newBuilder().setCommonTlsContext(common);
      tls.sni().ifPresent(context::setSni);
      return TransportSocket.newBuilder()
          .setName("envoy.transport_sockets.tls")
          .setTypedConfig(Any.pack(context.build()))
          .build();
    });
  }

  /** The cluster's subject alt names as Envoy matchers; the SNI name as a DNS SAN when it names none. */
  static List<SubjectAltNameMatcher> subjectAltNames(Cluster.UpstreamTls tls) {
    if (tls.subjectAltNames().isEmpty()) {
      return tls.sni().map(sni -> List.of(matcher(SubjectAltNameMatcher.SanType.DNS, StringMatcher.newBuilder().setExact(sni).build())))
          .orElse(List.of());
    }
    return tls.subjectAltNames().stream().map(san -> matcher(
        san.type() == Cluster.SanType.DNS ? SubjectAltNameMatcher.SanType.DNS : SubjectAltNameMatcher.SanType.URI,
        san.match() == Cluster.SanMatch.Prefix
            ? StringMatcher.newBuilder().setPrefix(san.value()).build()
            : StringMatcher.newBuilder().setExact(san.value()).build()))
        .toList();
  }

  private static SubjectAltNameMatcher matcher(SubjectAltNameMatcher.SanType type, StringMatcher value) {
    return SubjectAltNameMatcher.newBuilder().setSanType(type).setMatcher(value).build();
  }

  /** The SDS secret holding the CA certificate a cluster verifies its upstream against. */
  static Optional<Secret> trustSecret(UpstreamCluster cluster) {
    return cluster.cluster().tls().flatMap(Cluster.UpstreamTls::caCertificateRef).flatMap(ref ->
        cluster.trustedCaPem().map(pem -> TrustSecrets.of(ref, pem)));
  }
}
