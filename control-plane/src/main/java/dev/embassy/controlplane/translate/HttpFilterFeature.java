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

  @FunctionalInterface
  interface RoutePatch {
    /** Sets the feature's per-route config on {@code route}, the Envoy route made from {@code rule}. */
    void patch(RouteRule rule, Route.Builder route);
  }
}
