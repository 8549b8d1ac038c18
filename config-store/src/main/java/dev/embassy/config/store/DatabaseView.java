package dev.embassy.config.store;

import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;
import dev.embassy.config.validate.ConfigView;
import dev.embassy.config.validate.RouteClaims;
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

  /**
   * Claims of the stored routes other than the one being written: its old version is being
   * replaced, and leaving it out means any claimant found conflicts with the write.
   */
  @Override
  public Map<String, List<String>> claims(String gateway) {
    Map<String, Route> routes = new HashMap<>();
    for (ConfigResource route : ResourceRows.routesOf(tx, gateway)) {
      if (!isPending(route.kind(), route.name())) {
        routes.put(route.name(), (Route) route);
      }
    }
    return gateway(gateway).map(g -> RouteClaims.of(g, routes.values())).orElse(Map.of());
  }

  private boolean isPending(ResourceKind kind, String name) {
    return pending.kind() == kind && pending.name().equals(name);
  }
}
