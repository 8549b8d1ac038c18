package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.MeshIdentity;
import dev.embassy.controlplane.ir.UpstreamCluster;
import dev.embassy.controlplane.ir.UpstreamMesh;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Consul Connect mTLS. The leaf certificate and the CA roots reach Envoy only as SDS secrets, so
 * the agent's renewal of a leaf (or a CA rotation) sends one Secret and never re-sends, or
 * drains, a Listener or Cluster. A sidecar's inbound listener requires a client certificate that
 * leads to the roots; a Connect cluster presents the sidecar's leaf and accepts only a peer
 * certificate whose URI SAN is the destination service's SPIFFE ID, as Consul's own proxies do.
 */
final class MeshTlsTranslator {
  static final String ROOTS_SECRET = "connect/roots";

  private MeshTlsTranslator() {}

  static String leafSecretName(String service) {
    return "connect/leaf/" + service;
  }

  static TransportSocket downstream(MeshIdentity identity) {
    CommonTlsContext common = CommonTlsContext.newBuilder()
        .addAlpnProtocols("h2").addAlpnProtocols("http/1.1")
        .addTlsCertificateSdsSecretConfigs(sds(leafSecretName(identity.service())))
        .setValidationContextSdsSecretConfig(sds(ROOTS_SECRET))
        .build();
    return socket(Any.pack(DownstreamTlsContext.newBuilder()
        .setCommonTlsContext(common)
        // Which callers get through is the intentions' RBAC filter's call; the handshake only
        // proves the caller holds a leaf of this trust domain.
        .setRequireClientCertificate(BoolValue.of(true))
        .build()));
  }

  static Optional<TransportSocket> upstream(UpstreamCluster cluster) {
    return cluster.mesh().map(mesh -> socket(Any.pack(UpstreamTlsContext.newBuilder()
        .setCommonTlsContext(CommonTlsContext.newBuilder()
            .addTlsCertificateSdsSecretConfigs(sds(leafSecretName(mesh.identity().service())))
            .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                .setDefaultValidationContext(CertificateValidationContext.newBuilder()
                    .addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
                        .setSanType(SubjectAltNameMatcher.SanType.URI)
                        .setMatcher(StringMatcher.newBuilder().setExact(mesh.peerSpiffeId()))))
                .setValidationContextSdsSecretConfig(sds(ROOTS_SECRET))))
        .build())));
  }

  /** The leaf and roots secrets of the identities a listener presents. */
  static List<Secret> secrets(HttpListener listener) {
    return listener.mesh().map(m -> secrets(m.identity())).orElse(List.of());
  }

  static List<Secret> secrets(UpstreamCluster cluster) {
    return cluster.mesh().map(UpstreamMesh::identity).map(MeshTlsTranslator::secrets).orElse(List.of());
  }

  private static List<Secret> secrets(MeshIdentity identity) {
    List<Secret> secrets = new ArrayList<>();
    secrets.add(Secret.newBuilder()
        .setName(leafSecretName(identity.service()))
        .setTlsCertificate(TlsCertificate.newBuilder()
            .setCertificateChain(DataSource.newBuilder().setInlineString(identity.certificatePem()))
            .setPrivateKey(DataSource.newBuilder().setInlineString(identity.privateKeyPem())))
        .build());
    secrets.add(Secret.newBuilder()
        .setName(ROOTS_SECRET)
        .setValidationContext(CertificateValidationContext.newBuilder()
            .setTrustedCa(DataSource.newBuilder().setInlineString(String.join("", identity.rootsPem()))))
        .build());
    return secrets;
  }

  private static SdsSecretConfig sds(String name) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(ConfigSources.ads()).build();
  }

  private static TransportSocket socket(Any context) {
    return TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(context).build();
  }
}
