package dev.embassy.controlplane.ir;

import java.util.List;

/**
 * One Envoy listener: a gateway listener's port, with its virtual hosts in the order Envoy should
 * try them. Named {@code <gateway>-<listener>}, which is also its RouteConfiguration's name. An
 * HTTPS listener carries the certificates it presents (chosen by SNI) and, with mutual TLS, how it
 * verifies client certificates; an HTTP listener none. A sidecar's inbound listener under Consul
 * Connect carries its {@link InboundMesh} instead.
 */
public record HttpListener(String name, String address, int port, List<VirtualHost> virtualHosts, List<ServerCertificate> certificates,
    Options options, java.util.Optional<ClientVerification> clientVerification, java.util.Optional<InboundMesh> mesh) {
  /**
   * A gateway listener's own settings: how many proxies in front are trusted for
   * X-Forwarded-For, which client addresses may connect, connection-level timeouts, and its
   * gateway's access log and response compression.
   */
  public record Options(int trustedHops, java.util.Optional<dev.embassy.config.model.ClientIps> clientIps,
      java.util.Optional<dev.embassy.config.model.Gateway.Timeouts> timeouts,
      java.util.Optional<dev.embassy.config.model.Gateway.AccessLog> accessLog,
      java.util.Optional<dev.embassy.config.model.Gateway.Compression> compression) {
    public static final Options NONE =
        new Options(0, java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());

    public static Options of(dev.embassy.config.model.Gateway gateway, dev.embassy.config.model.Gateway.Listener listener) {
      return new Options(listener.clientAddress().map(dev.embassy.config.model.Gateway.ClientAddress::trustedHops).orElse(0),
          listener.clientIps(), listener.timeouts(), gateway.accessLog(), gateway.compression());
    }
  }

  public HttpListener {
    virtualHosts = List.copyOf(virtualHosts);
    certificates = List.copyOf(certificates);
  }

  public HttpListener(String name, String address, int port, List<VirtualHost> virtualHosts, List<ServerCertificate> certificates) {
    this(name, address, port, virtualHosts, certificates, Options.NONE, java.util.Optional.empty(), java.util.Optional.empty());
  }

  public HttpListener(String name, String address, int port, List<VirtualHost> virtualHosts, List<ServerCertificate> certificates,
      Options options) {
    this(name, address, port, virtualHosts, certificates, options, java.util.Optional.empty(), java.util.Optional.empty());
  }

  public boolean tls() {
    return !certificates.isEmpty();
  }
}
