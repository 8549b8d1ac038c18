package dev.embassy.controlplane.quarantine;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of Embassy's routes a rejected RouteConfiguration can be blamed on. One RouteConfiguration
 * carries the routes of every team on a listener, and Envoy's NACK names only the
 * RouteConfiguration ("invalid repetition size" says nothing of which route), so the blame is
 * worked out from content: the Embassy routes whose Envoy routes differ from what the proxy held
 * and accepted before. The translator names every Envoy route {@code <route>/<rule>/<match>}, so
 * the Embassy route is the part before the first slash.
 */
final class RouteSuspects {
  private RouteSuspects() {}

  /** Embassy routes of {@code rejected} whose Envoy routes (by virtual host) are not exactly as in {@code held}. */
  static Set<String> between(RouteConfiguration rejected, RouteConfiguration held) {
    Map<String, List<Object>> now = byEmbassyRoute(rejected);
    Map<String, List<Object>> before = held == null ? Map.of() : byEmbassyRoute(held);
    Set<String> changed = new TreeSet<>();
    now.forEach((route, content) -> {
      if (!content.equals(before.get(route))) {
        changed.add(route);
      }
    });
    return changed;
  }

  /** Whether {@code route} has the same Envoy routes in both configurations. */
  static boolean sameIn(String route, RouteConfiguration a, RouteConfiguration b) {
    if (a == null || b == null) {
      return false;
    }
    return Objects.equals(byEmbassyRoute(a).get(route), byEmbassyRoute(b).get(route));
  }

  /**
   * Embassy route → its Envoy routes, each paired with the virtual host it sits in: a route that
   * moved to another host changed too.
   */
  private static Map<String, List<Object>> byEmbassyRoute(RouteConfiguration config) {
    Map<String, List<Object>> routes = new HashMap<>();
    for (VirtualHost host : config.getVirtualHostsList()) {
      for (Route route : host.getRoutesList()) {
        routes.computeIfAbsent(embassyRoute(route.getName()), r -> new ArrayList<>()).add(List.of(host.getName(), route));
      }
    }
    return routes;
  }

  static String embassyRoute(String envoyRouteName) {
    int slash = envoyRouteName.indexOf('/');
    return slash < 0 ? envoyRouteName : envoyRouteName.substring(0, slash);
  }
}
