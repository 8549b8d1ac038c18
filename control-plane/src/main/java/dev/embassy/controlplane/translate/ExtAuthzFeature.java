package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.NodeGroupBuilder;
import dev.embassy.controlplane.ir.RouteRule;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.CheckSettings;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import java.util.List;

/**
 * Authentication through auth-service: Envoy's ext_authz filter on every listener that has a route
 * with an auth policy. Each route names its policy in the check's context extensions, which is how
 * auth-service knows what to enforce; a route without a policy disables the filter (a public
 * route), so one listener can mix both.
 */
final class ExtAuthzFeature implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.ext_authz";
  /** Context extension keys auth-service reads. */
  static final String POLICY_KEY = "embassy.policy";
  static final String ROUTE_KEY = "embassy.route";

  private static final HttpFilter HTTP_FILTER = HttpFilter.newBuilder()
      .setName(FILTER)
      .setTypedConfig(Any.pack(ExtAuthz.newBuilder()
          .setTransportApiVersion(ApiVersion.V3)
          .setGrpcService(GrpcService.newBuilder()
              .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(NodeGroupBuilder.AUTH_CLUSTER))
              // Envoy's default, stated: every request waits on this call, and Envoy never caches it.
              .setTimeout(Durations.fromMillis(200)))
          // Fail closed: a request auth-service could not check is not let through...
          .setFailureModeAllow(false)
          // ...but it is answered 503, not Envoy's default 403, so clients and dashboards see an
          // outage rather than a permission problem.
          .setStatusOnError(HttpStatus.newBuilder().setCode(StatusCode.ServiceUnavailable))
          // On a mutual-TLS listener every Check carries the verified client certificate's
          // principal (source.principal: its first URI SAN, else its subject), which is what
          // auth-service reads. include_peer_certificate would add the whole PEM to each Check
          // for nobody, so it stays off.
          .build()))
      .build();
  private static final Any DISABLED = Any.pack(ExtAuthzPerRoute.newBuilder().setDisabled(true).build());

  @Override
  public OnListener on(HttpListener listener) {
    boolean used = listener.virtualHosts().stream().flatMap(h -> h.routes().stream()).anyMatch(r -> r.authPolicy().isPresent());
    return used ? new OnListener(List.of(HTTP_FILTER), ExtAuthzFeature::patchRoute) : OnListener.UNUSED;
  }

  private static void patchRoute(RouteRule rule, Route.Builder route) {
    route.putTypedPerFilterConfig(FILTER, rule.authPolicy()
        .map(policy -> Any.pack(ExtAuthzPerRoute.newBuilder()
            .setCheckSettings(CheckSettings.newBuilder()
                .putContextExtensions(POLICY_KEY, policy)
                .putContextExtensions(ROUTE_KEY, rule.routeName()))
            .build()))
        .orElse(DISABLED));
  }
}
