package dev.embassy.config.store;

import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;
import dev.embassy.config.validate.ConfigView;
import dev.embassy.config.validate.RouteClaims;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jooq.DSLContext;

/**
 * The committed config at one revision, held in this process with its route claims indexed, so
 * that a single-resource write validates without reading the store (issue 13: the six lookups a
 * route create made cost more than the rest of its transaction).
 *
 * <p>It is only ever used under the write lock, after reading the latest revision id, and is
 * trusted only when it is at exactly that revision; otherwise it catches up from the revision
 * history in the same transaction, or reloads. A write stages its change here before committing
 * (still under the lock) and marks it committed after; a staged revision that the next writer
 * finds to be the latest is committed by definition, any other outcome reloads. The database's
 * keys stay the backstop: a wrong view could refuse or fail a write, never store a bad one.
 */
final class CommittedConfig {
  private static final long NOT_LOADED = -1;

  private long revision = NOT_LOADED;
  /** The revision was staged by a write whose commit has not been confirmed. */
  private boolean staged;
  private final Map<ResourceKind, Map<String, ConfigResource>> resources = new EnumMap<>(ResourceKind.class);
  /** gateway → claim key → route, as in config_route_claim. */
  private final Map<String, Map<String, String>> claims = new HashMap<>();
  /** route → where its claims are, to remove them when it changes. */
  private final Map<String, Claimed> claimed = new HashMap<>();

  private record Claimed(String gateway, Set<String> keys) {}

  /** A resource's state after a change: present (put) or empty (deleted). */
  record Put(ResourceKind kind, String name, Optional<ConfigResource> after) {}

  /**
   * Brings this to {@code latest}, the latest revision read under the write lock in {@code tx}:
   * at once when it is there, from the history of the revisions since otherwise, or by reading
   * the whole config. Callers hold this object's monitor until they have validated against it.
   */
  void catchUp(DSLContext tx, long latest) {
    if (revision == latest) {
      // A staged revision that is now the latest was committed.
      staged = false;
      return;
    }
    try {
      if (revision != NOT_LOADED && !staged && latest > revision) {
        apply(ResourceRows.changedBetween(tx, revision, latest).stream()
            .map(c -> new Put(c.kind(), c.name(), c.row().map(ResourceRows.Row::resource)))
            .toList());
      } else {
        reload(tx);
      }
    } catch (RuntimeException e) {
      // Half applied: start from scratch next time.
      invalidate();
      throw e;
    }
    revision = latest;
    staged = false;
  }

  private void reload(DSLContext tx) {
    resources.clear();
    claims.clear();
    claimed.clear();
    apply(ResourceRows.all(tx).stream().map(row -> new Put(row.resource().kind(), row.resource().name(), Optional.of(row.resource()))).toList());
  }

  /** The revision this holds, when it is loaded and not waiting for a commit to be confirmed. */
  java.util.OptionalLong current() {
    return revision == NOT_LOADED || staged ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(revision);
  }

  /** Records {@code changes} as revision {@code id}, made on {@code parent}, before its commit. */
  void stage(long parent, long id, List<Put> changes) {
    if (revision != parent || staged) {
      invalidate();
      return;
    }
    apply(changes);
    revision = id;
    staged = true;
  }

  /** The commit of a staged revision succeeded. */
  void committed(long id) {
    if (revision == id) {
      staged = false;
    }
  }

  /** Forget everything: the next writer reloads (used when a staged commit failed). */
  void invalidate() {
    revision = NOT_LOADED;
    staged = false;
    resources.clear();
    claims.clear();
    claimed.clear();
  }

  boolean exists(ResourceKind kind, String name) {
    return resources.getOrDefault(kind, Map.of()).containsKey(name);
  }

  Optional<Gateway> gateway(String name) {
    return Optional.ofNullable((Gateway) resources.getOrDefault(ResourceKind.GATEWAY, Map.of()).get(name));
  }

  /** The claim keys {@code route} will hold once stored (none while its gateway is missing), as written to config_route_claim. */
  Set<String> claimKeys(Route route, Optional<Gateway> gateway) {
    return gateway.map(g -> RouteClaims.keys(route, g)).orElse(Set.of());
  }

  /** This config with one write laid over it, for cross-resource validation (as {@link DatabaseView} does). */
  ConfigView with(ConfigResource pending) {
    return new ConfigView() {
      @Override
      public boolean exists(ResourceKind kind, String name) {
        return isPending(kind, name) || CommittedConfig.this.exists(kind, name);
      }

      @Override
      public Optional<Gateway> gateway(String name) {
        return isPending(ResourceKind.GATEWAY, name) ? Optional.of((Gateway) pending) : CommittedConfig.this.gateway(name);
      }

      @Override
      public Optional<ConfigResource> find(ResourceKind kind, String name) {
        return isPending(kind, name) ? Optional.of(pending) : Optional.ofNullable(resources.getOrDefault(kind, Map.of()).get(name));
      }

      @Override
      public List<Route> routesReferring(ResourceKind kind, String name) {
        // A scan: only descriptor-set writes ask, and those are rare.
        return resources.getOrDefault(ResourceKind.ROUTE, Map.of()).values().stream()
            .map(r -> (Route) r)
            .filter(route -> !isPending(ResourceKind.ROUTE, route.name()))
            .filter(route -> route.references().stream().anyMatch(ref -> ref.kind() == kind && ref.name().equals(name)))
            .sorted(java.util.Comparator.comparing(Route::name))
            .toList();
      }

      @Override
      public List<Gateway> nodeGroupPeers(String nodeGroup, String gateway) {
        // As DatabaseView: the stored gateways of the group other than the one asking, in name order.
        return resources.getOrDefault(ResourceKind.GATEWAY, Map.of()).values().stream()
            .map(r -> (Gateway) r)
            .filter(g -> nodeGroup.equals(g.nodeGroup()) && !g.name().equals(gateway))
            .sorted(java.util.Comparator.comparing(Gateway::name))
            .toList();
      }

      @Override
      public Map<String, String> conflictingClaims(String gateway, Collection<String> keys, String route) {
        Map<String, String> byKey = claims.getOrDefault(gateway, Map.of());
        Map<String, String> conflicts = new HashMap<>();
        for (String key : keys) {
          String owner = byKey.get(key);
          if (owner != null && !owner.equals(route)) {
            conflicts.put(key, owner);
          }
        }
        return conflicts;
      }

      @Override
      public Optional<String> rateLimitDomainOwner(String domain, String policy) {
        if (pending instanceof RateLimitPolicy p && !p.name().equals(policy) && domain.equals(p.domain())) {
          return Optional.of(p.name());
        }
        return resources.getOrDefault(ResourceKind.RATELIMIT_POLICY, Map.of()).values().stream()
            .map(r -> (RateLimitPolicy) r)
            .filter(p -> !p.name().equals(policy) && domain.equals(p.domain()))
            .map(RateLimitPolicy::name)
            .sorted()
            .findFirst();
      }

      private boolean isPending(ResourceKind kind, String name) {
        return pending.kind() == kind && pending.name().equals(name);
      }
    };
  }

  /**
   * Puts and deletes, then recomputes the claims of every route they can move: the routes
   * changed and all routes of a gateway changed (as {@link ResourceRows#write} does in the table).
   */
  private void apply(List<Put> changes) {
    Set<String> routes = new TreeSet<>();
    Set<String> gateways = new TreeSet<>();
    for (Put change : changes) {
      Map<String, ConfigResource> byName = resources.computeIfAbsent(change.kind(), k -> new HashMap<>());
      change.after().ifPresentOrElse(r -> byName.put(change.name(), r), () -> byName.remove(change.name()));
      if (change.kind() == ResourceKind.ROUTE) {
        routes.add(change.name());
      } else if (change.kind() == ResourceKind.GATEWAY) {
        gateways.add(change.name());
      }
    }
    Map<String, ConfigResource> allRoutes = resources.getOrDefault(ResourceKind.ROUTE, Map.of());
    if (!gateways.isEmpty()) {
      for (ConfigResource route : allRoutes.values()) {
        if (gateways.contains(((Route) route).gateway())) {
          routes.add(route.name());
        }
      }
    }
    for (String name : routes) {
      Claimed old = claimed.remove(name);
      if (old != null) {
        Map<String, String> byKey = claims.getOrDefault(old.gateway(), Map.of());
        old.keys().forEach(key -> byKey.remove(key, name));
      }
      Route route = (Route) allRoutes.get(name);
      if (route == null) {
        continue;
      }
      Set<String> keys = claimKeys(route, gateway(route.gateway()));
      if (!keys.isEmpty()) {
        Map<String, String> byKey = claims.computeIfAbsent(route.gateway(), g -> new HashMap<>());
        keys.forEach(key -> byKey.put(key, name));
        claimed.put(name, new Claimed(route.gateway(), keys));
      }
    }
  }
}
