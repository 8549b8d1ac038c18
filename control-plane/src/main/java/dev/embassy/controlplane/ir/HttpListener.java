package dev.embassy.controlplane.ir;

import java.util.List;

/**
 * One Envoy listener: a gateway listener's port, with its virtual hosts in the order Envoy should
 * try them. Named {@code <gateway>-<listener>}, which is also its RouteConfiguration's name.
 */
public record HttpListener(String name, String address, int port, List<VirtualHost> virtualHosts) {
  public HttpListener {
    virtualHosts = List.copyOf(virtualHosts);
  }
}
