package dev.embassy.controlplane.quarantine;

import dev.embassy.config.model.Cluster;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Reference;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.store.Quarantines.Quarantined;
import dev.embassy.config.model.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keeps routes a proxy rejected out of what their node group is served, so that one team's bad
 * route never stops everyone else's changes (kgateway #5902; before this, every later write to the
 * group stayed unapplied because each new RouteConfiguration still carried the bad route).
 *
 * <p>A rejection is blamed on the Embassy routes whose Envoy routes changed since what the proxy
 * held ({@link RouteSuspects}). One suspect is quarantined at once. Several are bisected: the
 * second half goes on probation (left out) and the first half is tried; when a proxy ACKs that
 * trial, probation is lifted and, if the NACK comes back, its routes are the suspects of the next
 * round. Each round halves the suspects, so n suspects take about 2·log2(n) round trips to Envoy.
 *
 * <p>A route left out is served as it was before the rejected change when that earlier version
 * still resolves (its gateway, clusters and policies exist), and not at all otherwise. The
 * quarantine lifts by itself when the route's content changes (the fix deserves a try; labels do
 * not count, they never reach Envoy) or when the route is deleted.
 *
 * <p>A new cluster a proxy rejected takes the routes that send to it out with it: a route
 * configuration naming a cluster the proxy does not have would never pass make-before-break, and
 * with it every other route on the listener would wait.
 *
 * <p>Pure state, no I/O; {@link QuarantineController} feeds it proxies' answers and rebuilds.
 */
public final class RouteQuarantine {
  private record Entry(String group, Route content, Optional<Route> fallback, long revision, String proxyId, String detail, Instant since) {
    Entry withoutFallback() {
      return new Entry(group, content, Optional.empty(), revision, proxyId, detail, since);
    }
  }

  /** A new cluster a proxy rejected: the routes sending to it are kept out with it (else they would wait for it forever). */
  private record RejectedCluster(String group, Cluster content, long revision, String proxyId, String detail, Instant since) {}

  private final Map<String, Entry> quarantined = new TreeMap<>();
  private final Map<String, RejectedCluster> rejectedClusters = new TreeMap<>();
  private Map<String, Cluster> lastClusters = Map.of();
  private final Map<String, Entry> probation = new TreeMap<>();
  /** Node group → the RouteConfiguration name and version whose ACK ends the group's probation. */
  private final Map<String, Map.Entry<String, String>> trials = new HashMap<>();
  private Map<String, Route> lastRoutes = Map.of();
  private long lastRevision = -1;
  /** Route → its content before its latest change: what to serve while the change is kept out. */
  private final Map<String, Route> previous = new HashMap<>();

  /**
   * The config to serve for {@code revision}: {@code raw} without the routes kept out (or with
   * their earlier versions). Lifts entries whose route changed or went away.
   */
  public synchronized ConfigDocument apply(ConfigDocument raw, long revision) {
    Map<String, Route> now = new HashMap<>();
    raw.routes().forEach(r -> now.put(r.name(), r));
    now.forEach((name, route) -> {
      Route before = lastRoutes.get(name);
      if (before == null) {
        previous.remove(name);
      } else if (!before.equals(route)) {
        previous.put(name, before);
      }
    });
    previous.keySet().retainAll(now.keySet());
    lastRoutes = now;
    lastRevision = revision;
    Map<String, Cluster> clusters = new HashMap<>();
    raw.clusters().forEach(c -> clusters.put(c.name(), c));
    lastClusters = clusters;
    rejectedClusters.values().removeIf(c -> !c.content().equals(clusters.get(c.content().name())));
    quarantined.values().removeIf(e -> !sameForEnvoy(e.content(), now.get(e.content().name())));
    probation.values().removeIf(e -> !sameForEnvoy(e.content(), now.get(e.content().name())));
    trials.keySet().removeIf(group -> probation.values().stream().noneMatch(e -> e.group().equals(group)));
    if (quarantined.isEmpty() && probation.isEmpty() && rejectedClusters.isEmpty()) {
      return raw;
    }
    Set<String> present = new HashSet<>();
    raw.all().forEach(r -> present.add(r.kind() + "/" + r.name()));
    List<Route> routes = new ArrayList<>(raw.routes().size());
    for (Route route : raw.routes()) {
      Entry held = quarantined.containsKey(route.name()) ? quarantined.get(route.name()) : probation.get(route.name());
      if (held == null && rejectedCluster(route).isEmpty()) {
        routes.add(route);
      } else if (held != null) {
        held.fallback().filter(f -> resolves(f, present) && rejectedCluster(f).isEmpty()).ifPresent(routes::add);
      }
    }
    return new ConfigDocument(raw.certificates(), raw.protoDescriptorSets(), raw.clusters(), raw.authPolicies(), raw.rateLimitPolicies(), raw.gateways(), routes);
  }

  /** Labels never reach Envoy: relabelling a rejected route is no fix to try. */
  private static boolean sameForEnvoy(Route a, Route b) {
    return b != null && withoutLabels(a).equals(withoutLabels(b));
  }

  private static Route withoutLabels(Route r) {
    return new Route(r.name(), Map.of(), r.gateway(), r.listener(), r.hostnames(), r.rules(), r.authPolicy(), r.rateLimitPolicy());
  }

  private Optional<RejectedCluster> rejectedCluster(Route route) {
    if (rejectedClusters.isEmpty()) {
      return Optional.empty();
    }
    for (Reference reference : route.references()) {
      if (reference.kind() == ResourceKind.CLUSTER && rejectedClusters.containsKey(reference.name())) {
        return Optional.of(rejectedClusters.get(reference.name()));
      }
    }
    return Optional.empty();
  }

  /**
   * A proxy of {@code group} rejected {@code cluster}, which it was never served before: the
   * routes that send to it are kept out until the cluster (or the route) changes. Returns whether
   * that changed what is served.
   */
  public synchronized boolean clusterRejected(String group, String cluster, String proxyId, String detail, Instant at) {
    Cluster content = lastClusters.get(cluster);
    if (content == null || rejectedClusters.containsKey(cluster)) {
      return false;
    }
    rejectedClusters.put(cluster, new RejectedCluster(group, content, lastRevision, proxyId, detail, at));
    return lastRoutes.values().stream().anyMatch(r -> rejectedCluster(r).isPresent());
  }

  private static boolean resolves(ConfigResource route, Set<String> present) {
    for (Reference reference : route.references()) {
      if (!present.contains(reference.kind() + "/" + reference.name())) {
        return false;
      }
    }
    return true;
  }

  /**
   * A proxy of {@code group} rejected {@code rejected}, having held {@code held} (null: none of
   * that name); {@code target} is what the group is built to now. Returns whether what must be
   * served changed, i.e. whether the group is to be rebuilt.
   */
  public synchronized boolean rejected(String group, String proxyId, RouteConfiguration rejected, RouteConfiguration held,
      RouteConfiguration target, String detail, Instant at) {
    boolean changed = false;
    List<String> suspects = new ArrayList<>();
    for (String route : RouteSuspects.between(rejected, held)) {
      Entry kept = quarantined.get(route);
      if (kept != null) {
        // What was rejected is the earlier version served in its place: serve nothing instead.
        if (kept.fallback().isPresent() && RouteSuspects.sameIn(route, rejected, target)) {
          quarantined.put(route, kept.withoutFallback());
          changed = true;
        }
        continue;
      }
      // Only content the group is still built with can be blamed: a route changed since the
      // rejected version deserves its own try.
      if (lastRoutes.containsKey(route) && !probation.containsKey(route) && RouteSuspects.sameIn(route, rejected, target)) {
        suspects.add(route);
      }
    }
    if (suspects.size() == 1) {
      String route = suspects.getFirst();
      quarantined.put(route, entry(group, route, proxyId, detail, at));
      return true;
    }
    if (suspects.size() > 1) {
      for (String route : suspects.subList(suspects.size() / 2, suspects.size())) {
        probation.put(route, entry(group, route, proxyId, detail, at));
      }
      return true;
    }
    return changed;
  }

  private Entry entry(String group, String route, String proxyId, String detail, Instant at) {
    return new Entry(group, lastRoutes.get(route), Optional.ofNullable(previous.get(route)), lastRevision, proxyId, detail, at);
  }

  /** After a rebuild: an ACK of {@code version} of RouteConfiguration {@code name} ends the group's probation. */
  public synchronized void trial(String group, String name, String version) {
    if (probation.values().stream().anyMatch(e -> e.group().equals(group))) {
      trials.put(group, Map.entry(name, version));
    }
  }

  /** Whether any node group is waiting on a trial (so ACKs matter at all). */
  public synchronized boolean bisecting() {
    return !trials.isEmpty();
  }

  /**
   * A proxy of {@code group} ACKed {@code version} of RouteConfiguration {@code name}. Returns
   * whether that ended the group's probation (its routes are to be tried again).
   */
  public synchronized boolean accepted(String group, String name, String version) {
    Map.Entry<String, String> trial = trials.get(group);
    if (trial == null || !trial.getKey().equals(name) || !trial.getValue().equals(version)) {
      return false;
    }
    trials.remove(group);
    return probation.values().removeIf(e -> e.group().equals(group));
  }

  /**
   * What is kept out after rejections: routes, and new clusters with the routes that send to them
   * (not counting routes on probation during a bisection).
   */
  public synchronized List<Quarantined> quarantined() {
    List<Quarantined> all = new ArrayList<>();
    quarantined.values().forEach(e -> all.add(new Quarantined(ResourceKind.ROUTE, e.content().name(), e.group(), e.revision(), e.proxyId(),
        e.detail(), e.since())));
    rejectedClusters.values().forEach(c -> all.add(new Quarantined(ResourceKind.CLUSTER, c.content().name(), c.group(), c.revision(),
        c.proxyId(), c.detail(), c.since())));
    if (!rejectedClusters.isEmpty()) {
      new TreeMap<>(lastRoutes).values().forEach(route -> {
        if (!quarantined.containsKey(route.name())) {
          rejectedCluster(route).ifPresent(c -> all.add(new Quarantined(ResourceKind.ROUTE, route.name(), c.group(), c.revision(), c.proxyId(),
              "sends traffic to cluster " + c.content().name() + ", which the proxy rejected: " + c.detail(), c.since())));
        }
      });
    }
    return all;
  }

  /** Routes left out for the current round of a bisection. */
  public synchronized int onProbation() {
    return probation.size();
  }
}
