package dev.embassy.controlplane.ir;

import dev.embassy.config.model.Route;
import java.util.Optional;

/**
 * One match of one rule of a route, which becomes one Envoy route. Named
 * {@code <route>/<rule index>/<match index>}: stable while the route's own rules keep their order,
 * and independent of every other route.
 */
public record RouteRule(
    String name,
    String routeName,
    Route.Match match,
    Route.Rule rule,
    Optional<String> authPolicy,
    Optional<String> rateLimitPolicy) {}
