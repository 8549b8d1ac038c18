package dev.embassy.config.validate;

import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.Route;
import dev.embassy.config.model.RouteAttachment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The keys a route claims on its gateway: one per listener, hostname and match. Two routes with a
 * common key would produce two identical Envoy routes in one virtual host, of which Envoy only ever
 * uses the first, so the second route would be accepted and silently never serve.
 */
public final class RouteClaims {
  private RouteClaims() {}

  public static Set<String> keys(Route route, Gateway gateway) {
    List<String> listeners = route.listener().map(List::of)
        .orElseGet(() -> RouteAttachment.listeners(gateway).stream().map(Gateway.Listener::name).toList());
    List<String> hostnames = route.hostnames().isEmpty() ? List.of("*") : route.hostnames();
    Set<String> keys = new LinkedHashSet<>();
    for (String listener : listeners) {
      for (String hostname : hostnames) {
        for (Route.Rule rule : route.rules()) {
          List<Route.Match> matches = rule.matches().isEmpty() ? List.of(new Route.Match(null, null, null, null)) : rule.matches();
          for (Route.Match match : matches) {
            keys.add(listener + " " + hostname + " " + canonical(match));
          }
        }
      }
    }
    return keys;
  }

  /** key → names of the routes claiming it, sorted. */
  public static Map<String, List<String>> of(Gateway gateway, Collection<Route> routes) {
    Map<String, List<String>> claims = new TreeMap<>();
    routes.stream().sorted(Comparator.comparing(Route::name)).forEach(route -> {
      for (String key : keys(route, gateway)) {
        claims.computeIfAbsent(key, k -> new ArrayList<>()).add(route.name());
      }
    });
    return claims;
  }

  private static String canonical(Route.Match match) {
    String path = match.path().map(p -> p.type() + " " + p.value()).orElse("PathPrefix /");
    String headers = match.headers().stream().map(Objects::toString).sorted().collect(Collectors.joining(","));
    String query = match.queryParams().stream().map(Objects::toString).sorted().collect(Collectors.joining(","));
    return path + " headers[" + headers + "] query[" + query + "] method " + match.method().orElse("*");
  }
}
