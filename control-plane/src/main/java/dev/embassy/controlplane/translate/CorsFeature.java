package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.embassy.config.model.DurationText;
import dev.embassy.config.model.Route;
import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.RouteRule;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;

/**
 * CORS: the cors HTTP filter on listeners that need it, and the policy per route through
 * typed_per_filter_config (the route-level cors field is deprecated).
 */
final class CorsFeature implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.cors";

  private static final HttpFilter HTTP_FILTER =
      HttpFilter.newBuilder().setName(FILTER).setTypedConfig(Any.pack(Cors.getDefaultInstance())).build();

  @Override
  public OnListener on(HttpListener listener) {
    boolean used = listener.virtualHosts().stream()
        .flatMap(h -> h.routes().stream())
        .anyMatch(r -> r.rule().filters().stream().anyMatch(f -> f.cors().isPresent()));
    return used ? new OnListener(List.of(HTTP_FILTER), CorsFeature::patchRoute) : OnListener.UNUSED;
  }

  private static void patchRoute(RouteRule rule, io.envoyproxy.envoy.config.route.v3.Route.Builder route) {
    for (Route.Filter filter : rule.rule().filters()) {
      filter.cors().ifPresent(cors -> route.putTypedPerFilterConfig(FILTER, Any.pack(policy(cors))));
    }
  }

  private static CorsPolicy policy(Route.Cors cors) {
    CorsPolicy.Builder policy = CorsPolicy.newBuilder();
    for (String origin : cors.allowOrigins()) {
      if (origin.equals("*")) {
        policy.addAllowOriginStringMatch(StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(".*")));
      } else if (origin.contains("://*.")) {
        // https://*.example.com: any subdomain, with a regex anchored on scheme and suffix.
        String scheme = origin.substring(0, origin.indexOf("://"));
        String suffix = origin.substring(origin.indexOf("://*.") + 4);
        policy.addAllowOriginStringMatch(StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder()
            .setRegex("^" + java.util.regex.Pattern.quote(scheme + "://") + "[a-z0-9-]+(\\.[a-z0-9-]+)*" + java.util.regex.Pattern.quote(suffix) + "$")));
      } else {
        policy.addAllowOriginStringMatch(StringMatcher.newBuilder().setExact(origin));
      }
    }
    if (!cors.allowMethods().isEmpty()) {
      policy.setAllowMethods(String.join(",", cors.allowMethods()));
    }
    if (!cors.allowHeaders().isEmpty()) {
      policy.setAllowHeaders(String.join(",", cors.allowHeaders()));
    }
    if (!cors.exposeHeaders().isEmpty()) {
      policy.setExposeHeaders(String.join(",", cors.exposeHeaders()));
    }
    cors.maxAge().ifPresent(age -> policy.setMaxAge(Long.toString(DurationText.of(age).toSeconds())));
    policy.setAllowCredentials(BoolValue.of(cors.allowCredentials()));
    return policy.build();
  }
}
