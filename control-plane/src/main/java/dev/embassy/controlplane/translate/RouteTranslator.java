package dev.embassy.controlplane.translate;

import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;

/** Builds the RouteConfiguration of one listener: this is where routes become Envoy routes. */
final class RouteTranslator {
  private RouteTranslator() {}

  static String routeConfigurationName(HttpListener listener) {
    return listener.name();
  }

  static RouteConfiguration routeConfiguration(HttpListener listener) {
    VirtualHost.Builder host = VirtualHost.newBuilder().setName(listener.name()).addDomains("*");
    for (Route route : listener.routes()) {
      host.addRoutes(
          io.envoyproxy.envoy.config.route.v3.Route.newBuilder()
              .setName(route.name())
              .setMatch(RouteMatch.newBuilder().setPrefix(route.pathPrefix()))
              .setRoute(RouteAction.newBuilder().setCluster(route.cluster())));
    }
    return RouteConfiguration.newBuilder()
        .setName(routeConfigurationName(listener))
        .addVirtualHosts(host)
        .build();
  }
}
