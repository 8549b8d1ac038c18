package dev.embassy.controlplane.quarantine;

import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.store.Quarantines;
import dev.embassy.controlplane.cache.DeliveryEvents;
import dev.embassy.controlplane.cache.GroupSnapshot;
import dev.embassy.controlplane.cache.XdsCache;
import dev.embassy.controlplane.cache.XdsResource;
import dev.embassy.controlplane.cache.XdsType;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on proxies' rejections. A rejected RouteConfiguration becomes quarantined routes
 * ({@link RouteQuarantine}) and its node group is rebuilt without them; the ACK of a bisection's
 * trial ends its round. Every other rejected resource (a cluster, its endpoints, a listener) is
 * one Embassy resource already: the cache withdraws that version by name and serves the last good
 * one, and this reports it as quarantined, with the proxy's error, for as long as the cache keeps
 * it withdrawn. Decisions, rebuilds and reports run on one thread of its own: the cache calls in
 * on gRPC threads, and a rebuild takes as long as a translation.
 */
public final class QuarantineController implements DeliveryEvents, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QuarantineController.class);

  /** A version the cache withdrew after a NACK, and what the proxy said. */
  private record Withdrawn(String group, XdsType type, String name, String version, long revision, String proxyId, String detail, Instant at) {}

  private final RouteQuarantine quarantine;
  private final XdsCache cache;
  private final Runnable rebuild;
  private final Supplier<Collection<String>> gateways;
  private final Consumer<List<Quarantines.Quarantined>> report;
  private final Clock clock;
  private final Map<List<Object>, Withdrawn> withdrawn = new ConcurrentHashMap<>();
  /** What was reported last; touched only on the controller's thread. */
  private List<Quarantines.Quarantined> reported;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("route-quarantine").daemon().factory());

  /**
   * @param rebuild re-runs the pipeline on the revision being served (with the quarantine applied)
   * @param gateways the names of the gateways being served, to name the gateway of a rejected listener
   * @param report where the quarantined resources go whenever they change (status, the admin API)
   */
  public QuarantineController(RouteQuarantine quarantine, XdsCache cache, Runnable rebuild, Supplier<Collection<String>> gateways,
      Consumer<List<Quarantines.Quarantined>> report, Clock clock) {
    this.quarantine = quarantine;
    this.cache = cache;
    this.rebuild = rebuild;
    this.gateways = gateways;
    this.report = report;
    this.clock = clock;
  }

  @Override
  public void rejected(String group, String proxyId, XdsType type, List<XdsResource> rejected, SortedMap<String, XdsResource> held, String detail) {
    Instant at = clock.instant();
    thread.execute(() -> {
      Optional<GroupSnapshot> target = cache.target(group);
      long revision = target.map(GroupSnapshot::revision).orElse(-1L);
      for (XdsResource resource : rejected) {
        withdrawn.put(List.of(group, type, resource.name()), new Withdrawn(group, type, resource.name(), resource.version(), revision, proxyId, detail, at));
      }
      if (type == XdsType.ROUTE && blameRoutes(group, proxyId, rejected, held, target, detail, at)) {
        return;
      }
      if (type == XdsType.CLUSTER && keepOutRoutesOfNewClusters(group, proxyId, rejected, detail, at)) {
        return;
      }
      LOG.atWarn().addKeyValue("node_group", group).addKeyValue("proxy", proxyId).addKeyValue("type", type)
          .addKeyValue("resources", rejected.stream().map(XdsResource::name).toList()).addKeyValue("detail", detail)
          .log("proxy rejected resources; their last good versions are served until they change");
      report();
    });
  }

  /** Returns whether routes were blamed (and the group rebuilt). */
  private boolean blameRoutes(String group, String proxyId, List<XdsResource> rejected, SortedMap<String, XdsResource> held,
      Optional<GroupSnapshot> target, String detail, Instant at) {
    boolean changed = false;
    for (XdsResource resource : rejected) {
      RouteConfiguration targetConfig = target.map(t -> t.resources(XdsType.ROUTE).get(resource.name()))
          .map(r -> (RouteConfiguration) r.message()).orElse(null);
      XdsResource before = held == null ? null : held.get(resource.name());
      changed |= quarantine.rejected(group, proxyId, (RouteConfiguration) resource.message(),
          before == null ? null : (RouteConfiguration) before.message(), targetConfig, detail, at);
    }
    if (!changed) {
      return false;
    }
    LOG.atWarn().addKeyValue("node_group", group).addKeyValue("proxy", proxyId)
        .addKeyValue("quarantined", quarantine.quarantined().stream().map(q -> q.kind().pathSegment() + "/" + q.name()).toList())
        .addKeyValue("on_probation", quarantine.onProbation()).addKeyValue("detail", detail)
        .log("proxy rejected a route configuration; the routes it is blamed on are kept out and everything else is served");
    // Reported before the rebuild, so whoever sees the rebuilt revision ACKed also sees why a route is missing.
    report();
    rebuild.run();
    cache.target(group).ifPresent(t -> rejected.forEach(r -> {
      XdsResource rebuilt = t.resources(XdsType.ROUTE).get(r.name());
      if (rebuilt != null) {
        quarantine.trial(group, r.name(), rebuilt.version());
        // A proxy may have ACKed the trial before it was registered.
        if (cache.heldInGroup(group, XdsType.ROUTE, r.name(), rebuilt.version())) {
          accepted(group, XdsType.ROUTE, new TreeMap<>(Map.of(r.name(), rebuilt)));
        }
      }
    }));
    report();
    return true;
  }

  /** Rejected clusters the group was never served (no last good version): their routes go out with them. */
  private boolean keepOutRoutesOfNewClusters(String group, String proxyId, List<XdsResource> rejected, String detail, Instant at) {
    Optional<GroupSnapshot> served = cache.served(group);
    boolean changed = false;
    for (XdsResource cluster : rejected) {
      if (served.isPresent() && !served.get().resources(XdsType.CLUSTER).containsKey(cluster.name())) {
        changed |= quarantine.clusterRejected(group, cluster.name(), proxyId, detail, at);
      }
    }
    if (!changed) {
      return false;
    }
    LOG.atWarn().addKeyValue("node_group", group).addKeyValue("proxy", proxyId).addKeyValue("clusters", rejected.stream().map(XdsResource::name).toList())
        .addKeyValue("detail", detail).log("proxy rejected new clusters; they and the routes sending to them are kept out, everything else is served");
    report();
    rebuild.run();
    report();
    return true;
  }

  @Override
  public void accepted(String group, XdsType type, SortedMap<String, XdsResource> view) {
    if (type != XdsType.ROUTE || !quarantine.bisecting()) {
      return;
    }
    for (XdsResource resource : view.values()) {
      if (quarantine.accepted(group, resource.name(), resource.version())) {
        LOG.atInfo().addKeyValue("node_group", group).addKeyValue("route_configuration", resource.name())
            .log("bisection: the trial was accepted; the routes on probation are tried again");
        thread.execute(rebuild);
        return;
      }
    }
  }

  /** Something was published: withdrawn versions may have been replaced, and quarantined routes lifted. */
  public void published() {
    thread.execute(this::report);
  }

  /** Reports what is kept out now, if that changed. Runs on the controller's thread. */
  private void report() {
    withdrawn.values().removeIf(w -> !cache.rejections(w.group()).getOrDefault(w.type(), Map.of())
        .getOrDefault(w.name(), Set.of()).contains(w.version()));
    List<Quarantines.Quarantined> now = new ArrayList<>(quarantine.quarantined());
    for (Withdrawn w : withdrawn.values()) {
      resourceOf(w).ifPresent(r -> now.add(new Quarantines.Quarantined(r.getKey(), r.getValue(), w.group(), w.revision(), w.proxyId(),
          w.detail(), w.at())));
    }
    Map<List<Object>, Quarantines.Quarantined> byResource = new java.util.LinkedHashMap<>();
    now.forEach(q -> byResource.putIfAbsent(List.of(q.kind(), q.name()), q));
    List<Quarantines.Quarantined> distinct = List.copyOf(byResource.values());
    if (!distinct.equals(reported)) {
      reported = distinct;
      report.accept(distinct);
    }
  }

  /**
   * The Embassy resource a withdrawn Envoy resource is: clusters and their endpoints are named
   * after the cluster; listeners and their route configurations after the gateway
   * ({@code <gateway>-<listener>}). Routes blamed by content are reported by {@link RouteQuarantine}.
   */
  private Optional<Map.Entry<ResourceKind, String>> resourceOf(Withdrawn w) {
    return switch (w.type()) {
      case CLUSTER, ENDPOINT -> Optional.of(Map.entry(ResourceKind.CLUSTER, w.name()));
      case LISTENER, ROUTE -> gateways.get().stream().filter(g -> w.name().startsWith(g + "-"))
          .max(java.util.Comparator.comparingInt(String::length)).map(g -> Map.entry(ResourceKind.GATEWAY, g));
      // Secrets are named cert/<certificate> (DownstreamTlsTranslator) or trust/<certificate> (TrustSecrets).
      case SECRET -> Optional.of(Map.entry(ResourceKind.CERTIFICATE, w.name().substring(w.name().indexOf('/') + 1)));
    };
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
