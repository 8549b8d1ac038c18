package dev.embassy.controlplane.ir;

import java.util.List;

/**
 * One Envoy listener: a gateway listener's port, with its virtual hosts in the order Envoy should
 * try them. Named {@code <gateway>-<listener>}, which is also its RouteConfiguration's name. An
 * HTTPS listener carries the certificates it presents (chosen by SNI); an HTTP listener none.
 */
public record HttpListener(String name, String address, int port, List<VirtualHost> virtualHosts, List<ServerCertificate> certificates) {
  public HttpListener {
    virtualHosts = List.copyOf(virtualHosts);
    certificates = List.copyOf(certificates);
  }

  public boolean tls() {
    return !certificates.isEmpty();
  }
}
