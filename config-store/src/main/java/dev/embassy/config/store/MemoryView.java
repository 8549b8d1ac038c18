package dev.embassy.config.store;

import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;
import dev.embassy.config.validate.ConfigView;
import dev.embassy.config.validate.RouteClaims;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A whole desired config held in memory, for validating a declarative apply in one pass. Route
 * claims are computed once per gateway, so checking 10,000 routes stays linear.
 */
final class MemoryView implements ConfigView {
  private final Map<ResourceKind, Map<String, ConfigResource>> resources;
  private final Map<String, List<Route>> routesByGateway = new HashMap<>();
  private final Map<String, Map<String, List<String>>> claims = new HashMap<>();
  private final java.util.Set<String> submittedRoutes;

  /** @param submittedRoutes routes of the document being applied: each is validated itself */
  MemoryView(Map<ResourceKind, Map<String, ConfigResource>> resources, java.util.Set<String> submittedRoutes) {
    this.resources = resources;
    this.submittedRoutes = submittedRoutes;
    for (ConfigResource resource : resources.getOrDefault(ResourceKind.ROUTE, Map.of()).values()) {
      Route route = (Route) resource;
      routesByGateway.computeIfAbsent(route.gateway(), g -> new ArrayList<>()).add(route);
    }
  }

  @Override
  public boolean exists(ResourceKind kind, String name) {
    return resources.getOrDefault(kind, Map.of()).containsKey(name);
  }

  @Override
  public Optional<Gateway> gateway(String name) {
    return Optional.ofNullable((Gateway) resources.getOrDefault(ResourceKind.GATEWAY, Map.of()).get(name));
  }

  @Override
  public Optional<ConfigResource> find(ResourceKind kind, String name) {
    return Optional.ofNullable(resources.getOrDefault(kind, Map.of()).get(name));
  }

  @Override
  public List<Route> routesReferring(ResourceKind kind, String name) {
    // A document's routes are each validated themselves; only the stored ones need this check.
    return resources.getOrDefault(ResourceKind.ROUTE, Map.of()).values().stream()
        .map(r -> (Route) r)
        .filter(route -> !submittedRoutes.contains(route.name()))
        .filter(route -> route.references().stream().anyMatch(ref -> ref.kind() == kind && ref.name().equals(name)))
        .toList();
  }

  @Override
  public List<Gateway> nodeGroupPeers(String nodeGroup, String gateway) {
    // The map is a TreeMap (see ConfigStore.apply), so peers come in name order.
    return resources.getOrDefault(ResourceKind.GATEWAY, Map.of()).values().stream()
        .map(r -> (Gateway) r)
        .filter(g -> nodeGroup.equals(g.nodeGroup()) && !g.name().equals(gateway))
        .toList();
  }

  @Override
  public Map<String, String> conflictingClaims(String gateway, java.util.Collection<String> keys, String route) {
    Map<String, List<String>> byKey = claims.computeIfAbsent(gateway, g -> gateway(g)
        .map(found -> RouteClaims.of(found, routesByGateway.getOrDefault(g, List.of())))
        .orElse(Map.of()));
    Map<String, String> conflicts = new HashMap<>();
    for (String key : keys) {
      for (String other : byKey.getOrDefault(key, List.of())) {
        // When both routes are in the document, report the pair once, on the later name.
        if (!other.equals(route) && !(submittedRoutes.contains(other) && other.compareTo(route) > 0)) {
          conflicts.put(key, other);
          break;
        }
      }
    }
    return conflicts;
  }

  @Override
  public Optional<String> rateLimitDomainOwner(String domain, String policy) {
    return resources.getOrDefault(ResourceKind.RATELIMIT_POLICY, Map.of()).values().stream()
        .map(r -> (dev.embassy.config.model.RateLimitPolicy) r)
        .filter(p -> !p.name().equals(policy) && domain.equals(p.domain()))
        .map(dev.embassy.config.model.RateLimitPolicy::name)
        .sorted()
        .findFirst();
  }
}
