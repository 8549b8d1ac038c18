package dev.embassy.controlplane.ir;

import java.util.List;

/**
 * What a gRPC client that dials {@code xds:///<name>} is served (a proxyless gateway's service):
 * the virtual host of that name with the routes attached to the service, most specific first. It
 * has no address or port, because the client itself is the listener.
 */
public record ClientListener(String name, VirtualHost virtualHost) {
  public List<RouteRule> routes() {
    return virtualHost.routes();
  }
}
