package dev.embassy.controlplane.translate;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;

/**
 * Turns a route as an Envoy gets it into the form a gRPC client reads the same way. Validation
 * (ProxylessRules) has already refused what a client would ignore; what is left differs only in
 * spelling:
 * <ul>
 *   <li>path_separated_prefix, which grpc-java NACKs ("Unknown path match type"), becomes the
 *       plain prefix with a trailing slash: a gRPC path is always {@code /<service>/<method>},
 *       so {@code /pkg.Svc/} matches exactly what {@code /pkg.Svc} matches segment-wise;</li>
 *   <li>case_sensitive is spelled out: grpc-java reads an absent value as false, Envoy as true;</li>
 *   <li>the request timeout becomes max_stream_duration (gRFC A31), the only one gRPC reads;</li>
 *   <li>retries are on UNAVAILABLE, the gRPC status the Envoy retry conditions stand for
 *       (gRFC A44 reads retry_on as gRPC status names and drops the rest);</li>
 *   <li>response header removals (Server, X-Powered-By) go: a client has no one to hide them from.</li>
 * </ul>
 */
final class ProxylessRouteTranslator {
  private ProxylessRouteTranslator() {}

  static Route forClients(Route envoy) {
    Route.Builder route = envoy.toBuilder().clearResponseHeadersToRemove();
    RouteMatch.Builder match = route.getMatchBuilder();
    if (match.getPathSpecifierCase() == RouteMatch.PathSpecifierCase.PATH_SEPARATED_PREFIX) {
      match.setPrefix(match.getPathSeparatedPrefix() + "/");
    }
    match.setCaseSensitive(BoolValue.of(true));
    if (route.hasRoute()) {
      RouteAction.Builder action = route.getRouteBuilder();
      if (action.hasTimeout()) {
        action.setMaxStreamDuration(RouteAction.MaxStreamDuration.newBuilder().setMaxStreamDuration(action.getTimeout()));
        action.clearTimeout();
      }
      if (action.hasRetryPolicy()) {
        RetryPolicy.Builder retry = action.getRetryPolicyBuilder();
        if (retry.getNumRetries().getValue() == 0) {
          action.clearRetryPolicy();
        } else {
          retry.setRetryOn("unavailable").clearRetriableStatusCodes().clearPerTryTimeout();
        }
      }
    }
    return route.build();
  }
}
