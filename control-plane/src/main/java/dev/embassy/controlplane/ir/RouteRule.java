package dev.embassy.controlplane.ir;

import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.model.Route;
import java.util.Optional;

/**
 * One match of one rule of a route, which becomes one Envoy route. Named
 * {@code <route>/<rule index>/<match index>}: stable while the route's own rules keep their order,
 * and independent of every other route. Carries the route's auth policy by name (auth-service
 * resolves it) and its rate-limit policy and gRPC-JSON transcoding resolved (Envoy needs the
 * descriptors and failure mode, and the descriptor set's bytes).
 */
public record RouteRule(
    String name,
    String routeName,
    Route.Match match,
    Route.Rule rule,
    Optional<String> authPolicy,
    Optional<RateLimitPolicy> rateLimit,
    Optional<GrpcTranscoding> transcoding) {

  public RouteRule(String name, String routeName, Route.Match match, Route.Rule rule, Optional<String> authPolicy,
      Optional<RateLimitPolicy> rateLimit) {
    this(name, routeName, match, rule, authPolicy, rateLimit, Optional.empty());
  }
}
