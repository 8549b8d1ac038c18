package dev.embassy.controlplane.ir;

import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.model.Route;
import java.util.Optional;

/**
 * One match of one rule of a route, which becomes one Envoy route. Named
 * {@code <route>/<rule index>/<match index>}: stable while the route's own rules keep their order,
 * and independent of every other route. Carries the route's auth policy by name (auth-service
 * resolves it) and its rate-limit policy resolved (Envoy needs its descriptors and failure mode).
 */
public record RouteRule(
    String name,
    String routeName,
    Route.Match match,
    Route.Rule rule,
    Optional<String> authPolicy,
    Optional<RateLimitPolicy> rateLimit) {}
