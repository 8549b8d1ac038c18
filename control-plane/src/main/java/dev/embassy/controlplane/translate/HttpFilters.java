package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.RouteRule;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * The HTTP filter chain of a listener, in the one order that works: Consul intentions first (a
 * caller whose service may not call this one costs nothing further; only Connect inbound
 * listeners have them); client IP lists next (a
 * refused client costs nothing further, not even a fault or an ext_authz call); fault injection next, so a
 * chaos test sees what a failing upstream looks like whatever comes after; CORS answers preflights
 * before anything can reject them; ext_authz runs before rate limiting so limits can key on the
 * claims it returns as dynamic metadata; local limits before global ones (no RLS call for a
 * request the Envoy already refuses); the body limit after every limit, so a refused request is
 * not buffered first; compression next, so it sees the backend's response after everything but the
 * gRPC filters on the way out (CORS and rate-limit headers see it uncompressed); the response
 * cache after every check (a cached answer is only served to a request that passed auth and
 * limits) and after compression (it stores the uncompressed answer, compressed per client on the
 * way out, hit or miss); gRPC-Web and the
 * gRPC-JSON transcoder just before the router, so every filter before them (auth, limits, body
 * limits) sees the request the client sent and compression sees the JSON or gRPC-Web reply they
 * make of the backend's gRPC one; the router is last. Adding a feature is one file and one line here.
 */
record HttpFilters(List<HttpFilter> filters, List<HttpFilterFeature.RoutePatch> routePatches) {
  private static final List<HttpFilterFeature> FEATURES = List.of(new IntentionsFeature(), new ClientIpsFeature(), new FaultInjectionFeature(), new CorsFeature(), new ExtAuthzFeature(),
      new LocalRateLimitFeature(), new RateLimitFeature(), new RequestBodyLimitFeature(), new CompressionFeature(),
      new ResponseCacheFeature(), new GrpcWebFeature(), new GrpcJsonTranscodingFeature());
  private static final HttpFilter ROUTER =
      HttpFilter.newBuilder().setName("envoy.filters.http.router").setTypedConfig(Any.pack(Router.getDefaultInstance())).build();

  static HttpFilters of(HttpListener listener) {
    List<HttpFilter> filters = new ArrayList<>();
    List<HttpFilterFeature.RoutePatch> patches = new ArrayList<>();
    for (HttpFilterFeature feature : FEATURES) {
      HttpFilterFeature.OnListener part = feature.on(listener);
      filters.addAll(part.filters());
      patches.add(part.routes());
    }
    filters.add(ROUTER);
    return new HttpFilters(List.copyOf(filters), List.copyOf(patches));
  }

  /**
   * The filters of a proxyless service: of the features only fault injection is one a gRPC
   * client runs (gRFC A33; validation refuses the others), then the router, which it requires last.
   */
  static HttpFilters forClients(dev.embassy.controlplane.ir.ClientListener client) {
    // The feature reads only the virtual hosts of the listener it is given.
    HttpListener routes = new HttpListener(client.name(), "", 0, List.of(client.virtualHost()), List.of());
    HttpFilterFeature.OnListener fault = new FaultInjectionFeature().on(routes);
    List<HttpFilter> filters = new ArrayList<>(fault.filters());
    filters.add(ROUTER);
    return new HttpFilters(List.copyOf(filters), List.of(fault.routes()));
  }

  void patchRoute(RouteRule rule, Route.Builder route) {
    routePatches.forEach(p -> p.patch(rule, route));
  }
}
