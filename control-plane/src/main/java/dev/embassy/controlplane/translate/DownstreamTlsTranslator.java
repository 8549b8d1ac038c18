package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.ServerCertificate;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import java.util.List;

/**
 * TLS for HTTPS listeners. Certificates reach Envoy only as SDS secrets, so rotating one sends a
 * single Secret and never re-sends (or drains) the Listener.
 */
final class DownstreamTlsTranslator {
  private DownstreamTlsTranslator() {}

  static TransportSocket transportSocket(HttpListener listener) {
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder().addAlpnProtocols("h2").addAlpnProtocols("http/1.1");
    for (ServerCertificate certificate : listener.certificates()) {
      common.addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder()
          .setName(secretName(certificate.name()))
          .setSdsConfig(ConfigSources.ads()));
    }
    return TransportSocket.newBuilder()
        .setName("envoy.transport_sockets.tls")
        .setTypedConfig(Any.pack(DownstreamTlsContext.newBuilder().setCommonTlsContext(common).build()))
        .build();
  }

  static List<Secret> secrets(HttpListener listener) {
    return listener.certificates().stream()
        .map(c -> Secret.newBuilder()
            .setName(secretName(c.name()))
            .setTlsCertificate(TlsCertificate.newBuilder()
                .setCertificateChain(DataSource.newBuilder().setInlineString(c.chainPem()))
                .setPrivateKey(DataSource.newBuilder().setInlineString(c.keyPem())))
            .build())
        .toList();
  }

  static String secretName(String certificate) {
    return "cert/" + certificate;
  }
}
