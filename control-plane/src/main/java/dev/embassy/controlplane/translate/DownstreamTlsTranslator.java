package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.embassy.controlplane.ir.ClientVerification;
import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.ServerCertificate;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import java.util.ArrayList;
import java.util.List;

/**
 * TLS for HTTPS listeners. Certificates reach Envoy only as SDS secrets, so rotating one sends a
 * single Secret and never re-sends (or drains) the Listener.
 *
 * <p>Several certificates sit in one DownstreamTlsContext: Envoy picks, per handshake, the one
 * whose SAN (or CN, without SANs) matches the client's SNI, and falls back to the first when none
 * does. No filter chain per certificate is needed.
 *
 * <p>With mutual TLS the client CA comes as its own SDS validation-context secret, and the
 * verified identity goes to backends in X-Forwarded-Client-Cert.
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
    DownstreamTlsContext.Builder context = DownstreamTlsContext.newBuilder();
    listener.clientVerification().ifPresent(client -> {
      common.setValidationContextSdsSecretConfig(TrustSecrets.reference(client.caName()));
      // Without it Envoy asks for a certificate but lets a client without one in; one that is
      // presented is verified against the CA either way, and a bad one fails the handshake.
      context.setRequireClientCertificate(BoolValue.of(client.required()));
    });
    return TransportSocket.newBuilder()
        .setName("envoy.transport_sockets.tls")
        .setTypedConfig(Any.pack(context.setCommonTlsContext(common).build()))
        .build();
  }

  /**
   * On a listener that verifies client certificates, replaces any X-Forwarded-Client-Cert with the
   * verified one's subject, URI and DNS SANs (and the hash, which Envoy always adds). A client's
   * own header never passes: SANITIZE_SET removes it when no certificate was presented, and
   * Envoy's default (SANITIZE) drops it on every other listener.
   */
  static void forwardClientCertificate(HttpListener listener, HttpConnectionManager.Builder hcm) {
    if (listener.clientVerification().isPresent()) {
      hcm.setForwardClientCertDetails(HttpConnectionManager.ForwardClientCertDetails.SANITIZE_SET)
          .setSetCurrentClientCertDetails(HttpConnectionManager.SetCurrentClientCertDetails.newBuilder()
              .setSubject(BoolValue.of(true))
              .setUri(true)
              .setDns(true));
    }
  }

  static List<Secret> secrets(HttpListener listener) {
    List<Secret> secrets = new ArrayList<>();
    for (ServerCertificate c : listener.certificates()) {
      secrets.add(Secret.newBuilder()
          .setName(secretName(c.name()))
          .setTlsCertificate(TlsCertificate.newBuilder()
              .setCertificateChain(DataSource.newBuilder().setInlineString(c.chainPem()))
              .setPrivateKey(DataSource.newBuilder().setInlineString(c.keyPem())))
          .build());
    }
    listener.clientVerification().map(DownstreamTlsTranslator::trustSecret).ifPresent(secrets::add);
    return secrets;
  }

  private static Secret trustSecret(ClientVerification client) {
    return TrustSecrets.of(client.caName(), client.caPem());
  }

  static String secretName(String certificate) {
    return "cert/" + certificate;
  }
}
