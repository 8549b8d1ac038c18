package dev.embassy.controlplane.translate;

import dev.embassy.config.model.Route;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;

/** Gateway API matches as Envoy RouteMatch. */
final class RouteMatchTranslator {
  private RouteMatchTranslator() {}

  static RouteMatch match(Route.Match match) {
    RouteMatch.Builder envoy = RouteMatch.newBuilder();
    Route.PathMatch path = match.path().orElse(new Route.PathMatch(Route.PathMatchType.PathPrefix, "/"));
    switch (path.type()) {
      case Exact -> envoy.setPath(path.value());
      case RegularExpression -> envoy.setSafeRegex(RegexMatcher.newBuilder().setRegex(path.value()));
      case PathPrefix -> {
        // Gateway API prefixes match whole segments: /api matches /api and /api/x, not /apix.
        // Envoy's path_separated_prefix means exactly that, but refuses a trailing slash.
        if (path.value().endsWith("/")) {
          envoy.setPrefix(path.value());
        } else {
          envoy.setPathSeparatedPrefix(path.value());
        }
      }
    }
    for (Route.ValueMatch header : match.headers()) {
      envoy.addHeaders(HeaderMatcher.newBuilder().setName(header.name()).setStringMatch(string(header)));
    }
    for (Route.ValueMatch query : match.queryParams()) {
      envoy.addQueryParameters(QueryParameterMatcher.newBuilder().setName(query.name()).setStringMatch(string(query)));
    }
    match.method().ifPresent(method ->
        envoy.addHeaders(HeaderMatcher.newBuilder().setName(":method").setStringMatch(StringMatcher.newBuilder().setExact(method))));
    return envoy.build();
  }

  private static StringMatcher string(Route.ValueMatch match) {
    return match.type() == Route.ValueMatchType.RegularExpression
        ? StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(match.value())).build()
        : StringMatcher.newBuilder().setExact(match.value()).build();
  }
}
