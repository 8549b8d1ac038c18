package dev.embassy.config.store;

import dev.embassy.config.codec.ResourceCodec;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;
import dev.embassy.config.validate.ConfigView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * The stored config with one pending write laid over it, for validating single-resource writes
 * without loading the whole config.
 */
final class DatabaseView implements ConfigView {
  private final DSLContext tx;
  private final ConfigResource pending;

  DatabaseView(DSLContext tx, ConfigResource pending) {
    this.tx = tx;
    this.pending = pending;
  }

  @Override
  public boolean exists(ResourceKind kind, String name) {
    return isPending(kind, name) || ResourceRows.exists(tx, kind, name);
  }

  @Override
  public Optional<Gateway> gateway(String name) {
    if (isPending(ResourceKind.GATEWAY, name)) {
      return Optional.of((Gateway) pending);
    }
    return ResourceRows.find(tx, ResourceKind.GATEWAY, name).map(row -> (Gateway) row.resource());
  }

  @Override
  public Optional<ConfigResource> find(ResourceKind kind, String name) {
    if (isPending(kind, name)) {
      return Optional.of(pending);
    }
    return ResourceRows.find(tx, kind, name).map(ResourceRows.Row::resource);
  }

  @Override
  public List<Route> routesReferring(ResourceKind kind, String name) {
    return tx.resultQuery(
            "SELECT r.spec::text FROM config_reference ref JOIN config_resource r ON r.kind = ref.from_kind AND r.name = ref.from_name"
                + " WHERE ref.to_kind = ? AND ref.to_name = ? AND ref.from_kind = ? GROUP BY r.name, r.spec::text ORDER BY r.name",
            ResourceRows.kindKey(kind), name, ResourceRows.kindKey(ResourceKind.ROUTE))
        .fetch(r -> (Route) ResourceCodec.read(ResourceKind.ROUTE, r.get(0, String.class)))
        .stream()
        .filter(route -> !isPending(ResourceKind.ROUTE, route.name()))
        .toList();
  }

  @Override
  public List<Gateway> nodeGroupPeers(String nodeGroup, String gateway) {
    // The pending write, if a gateway, is the one asking: the stored rows are all its peers.
    return tx.resultQuery(
            "SELECT spec::text FROM config_resource WHERE kind = ? AND spec ->> 'nodeGroup' = ? AND name <> ? ORDER BY name",
            ResourceRows.kindKey(ResourceKind.GATEWAY), nodeGroup, gateway)
        .fetch(r -> (Gateway) ResourceCodec.read(ResourceKind.GATEWAY, r.get(0, String.class)));
  }

  @Override
  public Map<String, String> conflictingClaims(String gateway, java.util.Collection<String> keys, String route) {
    return ResourceRows.claimants(tx, gateway, keys, route);
  }

  @Override
  public Optional<String> rateLimitDomainOwner(String domain, String policy) {
    if (pending instanceof dev.embassy.config.model.RateLimitPolicy p && !p.name().equals(policy) && domain.equals(p.domain())) {
      return Optional.of(p.name());
    }
    return tx.resultQuery(
            "SELECT name FROM config_resource WHERE kind = ? AND spec ->> 'domain' = ? AND name <> ? ORDER BY name LIMIT 1",
            ResourceRows.kindKey(ResourceKind.RATELIMIT_POLICY), domain, policy)
        .fetchOptional(r -> r.get(0, String.class));
  }

  private boolean isPending(ResourceKind kind, String name) {
    return pending.kind() == kind && pending.name().equals(name);
  }
}
