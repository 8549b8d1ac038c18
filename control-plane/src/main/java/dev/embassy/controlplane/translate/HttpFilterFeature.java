package dev.embassy.controlplane.translate;

import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.RouteRule;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;

/**
 * One Envoy HTTP filter feature (CORS, ext_authz, rate limiting). For a listener it decides, once,
 * the filters it adds to the connection manager and what it sets on each route there. Resources a
 * feature needs (auth-service's and ratelimit-service's clusters) are clusters of the IR, built
 * with the node group, so they go through the same cluster and endpoint translation as any other.
 * The order of features is fixed in one place, {@link HttpFilters}.
 */
interface HttpFilterFeature {
  OnListener on(HttpListener listener);

  /** A feature's part of one listener: its filters (none when no route there uses it) and its route patch. */
  record OnListener(List<HttpFilter> filters, RoutePatch routes) {
    static final OnListener UNUSED = new OnListener(List.of(), (rule, route) -> {});

    public OnListener {
      filters = List.copyOf(filters);
    }
  }

  /**
   * The shape of a feature configured by one route filter: {@code filter} on listeners where some
   * rule has the filter {@code of} finds, and on each such route the per-route config made from it.
   */
  static <T> OnListener perRoute(HttpListener listener, HttpFilter filter, java.util.function.Function<dev.embassy.config.model.Route.Filter,
      java.util.Optional<T>> of, java.util.function.Function<T, com.google.protobuf.Message> config) {
    java.util.function.Function<RouteRule, java.util.Optional<T>> find =
        rule -> rule.rule().filters().stream().flatMap(f -> of.apply(f).stream()).findFirst();
    boolean used = listener.virtualHosts().stream().flatMap(h -> h.routes().stream()).anyMatch(r -> find.apply(r).isPresent());
    if (!used) {
      return OnListener.UNUSED;
    }
    return new OnListener(List.of(filter),
        (rule, route) -> find.apply(rule).ifPresent(c -> route.putTypedPerFilterConfig(filter.getName(), com.google.protobuf.Any.pack(config.apply(c)))));
  }

  /**
   * The shape of a feature a rule turns on without config of its own (gRPC-Web, response
   * caching): {@code filter} on listeners where some rule passes {@code uses}, and turned off with
   * a per-route {@code disabled} on every other route there. Envoy refuses an empty per-route
   * config that would turn a listener-disabled filter on, so off-where-unused is the only way round.
   */
  static OnListener onlyWhere(HttpListener listener, HttpFilter filter, java.util.function.Predicate<RouteRule> uses) {
    boolean used = listener.virtualHosts().stream().flatMap(h -> h.routes().stream()).anyMatch(uses);
    if (!used) {
      return OnListener.UNUSED;
    }
    com.google.protobuf.Any off = com.google.protobuf.Any.pack(io.envoyproxy.envoy.config.route.v3.FilterConfig.newBuilder().setDisabled(true).build());
    return new OnListener(List.of(filter), (rule, route) -> {
      if (!uses.test(rule)) {
        route.putTypedPerFilterConfig(filter.getName(), off);
      }
    });
  }

  @FunctionalInterface
  interface RoutePatch {
    /** Sets the feature's per-route config on {@code route}, the Envoy route made from {@code rule}. */
    void patch(RouteRule rule, Route.Builder route);
  }
}
