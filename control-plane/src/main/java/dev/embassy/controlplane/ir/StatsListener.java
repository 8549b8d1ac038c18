package dev.embassy.controlplane.ir;

import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.Route;
import java.util.List;
import java.util.Optional;

/**
 * The stats listener a gateway asks for: GET /stats/prometheus on its port, routed to Envoy's own
 * admin interface on loopback, and nothing else. Prometheus scrapes Envoy through it without the
 * admin interface (which can drain listeners and quit) being reachable from outside.
 */
final class StatsListener {
  /** The path Envoy's admin serves Prometheus text on, and the only one the listener routes. */
  static final String PATH = "/stats/prometheus";
  static final String ADMIN_PREFIX = "embassy-admin-";

  private StatsListener() {}

  static HttpListener listener(Gateway gateway, Gateway.Stats stats, String address) {
    String name = gateway.name() + "-stats";
    Route.Match match = new Route.Match(Optional.of(new Route.PathMatch(Route.PathMatchType.Exact, PATH)), null, null, Optional.of("GET"));
    Route.Rule rule = new Route.Rule(List.of(match), null, List.of(new Route.BackendRef(ADMIN_PREFIX + gateway.name(), 1)), null, null);
    RouteRule route = new RouteRule(name + "/prometheus", name, match, rule, Optional.empty(), Optional.empty());
    return new HttpListener(name, address, stats.port(), List.of(new VirtualHost(name + "/*", List.of("*"), List.of(route))), List.of());
  }

  /** Envoy's admin interface, as the bootstrap binds it: 127.0.0.1 only, the port the gateway names. */
  static UpstreamCluster adminCluster(Gateway gateway, Gateway.Stats stats) {
    return NodeGroupBuilder.staticCluster(ADMIN_PREFIX + gateway.name(), List.of(new ServiceAddress("127.0.0.1", stats.adminPort())), false);
  }
}
