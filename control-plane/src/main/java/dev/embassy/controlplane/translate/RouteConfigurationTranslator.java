package dev.embassy.controlplane.translate;

import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.RouteRule;
import dev.embassy.controlplane.ir.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;

/**
 * Where routes become a RouteConfiguration: one per listener, one virtual host per hostname, and
 * one Envoy route per match, in the precedence order the IR fixed.
 */
final class RouteConfigurationTranslator {
  private RouteConfigurationTranslator() {}

  static RouteConfiguration routeConfiguration(HttpListener listener, HttpFilters filters) {
    RouteConfiguration.Builder config = RouteConfiguration.newBuilder().setName(listener.name());
    for (VirtualHost host : listener.virtualHosts()) {
      io.envoyproxy.envoy.config.route.v3.VirtualHost.Builder vhost =
          io.envoyproxy.envoy.config.route.v3.VirtualHost.newBuilder().setName(host.name()).addAllDomains(host.domains());
      for (RouteRule rule : host.routes()) {
        vhost.addRoutes(route(rule, filters));
      }
      config.addVirtualHosts(vhost);
    }
    return config.build();
  }

  /** The Envoy route of one rule, with every feature's per-route part. */
  static Route route(RouteRule rule, HttpFilters filters) {
    Route.Builder route = Route.newBuilder().setName(rule.name()).setMatch(RouteMatchTranslator.match(rule.match()));
    RouteActionTranslator.apply(rule, route);
    HeaderModifierTranslator.apply(rule.rule().filters(), route);
    RouteExtrasTranslator.route(rule.rule(), route);
    filters.patchRoute(rule, route);
    return route.build();
  }
}
