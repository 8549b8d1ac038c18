package dev.embassy.controlplane.ir;

import java.util.List;

/** Requests for {@code domains} and the routes that may serve them, most specific first. */
public record VirtualHost(String name, List<String> domains, List<RouteRule> routes) {
  public VirtualHost {
    domains = List.copyOf(domains);
    routes = List.copyOf(routes);
  }
}
