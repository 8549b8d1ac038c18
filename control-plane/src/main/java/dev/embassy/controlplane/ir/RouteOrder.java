package dev.embassy.controlplane.ir;

import dev.embassy.config.model.Route;
import java.util.Comparator;

/**
 * Gateway API HTTPRoute match precedence, which decides the order of routes in a virtual host
 * (Envoy takes the first match): exact paths, then regular expressions, then the longest prefix;
 * then a method match; then the most header matches; then the most query matches. Ties go to the
 * route name and the rule and match position, so the order never depends on input order.
 */
final class RouteOrder {
  static final Comparator<RouteRule> PRECEDENCE =
      Comparator.<RouteRule>comparingInt(r -> pathRank(r.match()))
          .thenComparing(r -> -pathLength(r.match()))
          .thenComparing(r -> r.match().method().isPresent() ? 0 : 1)
          .thenComparing(r -> -r.match().headers().size())
          .thenComparing(r -> -r.match().queryParams().size())
          .thenComparing(RouteRule::routeName)
          .thenComparing(RouteRule::name);

  private RouteOrder() {}

  private static int pathRank(Route.Match match) {
    return switch (match.path().map(Route.PathMatch::type).orElse(Route.PathMatchType.PathPrefix)) {
      case Exact -> 0;
      case RegularExpression -> 1;
      case PathPrefix -> 2;
    };
  }

  private static int pathLength(Route.Match match) {
    return match.path().map(p -> p.value().length()).orElse(1);
  }
}
