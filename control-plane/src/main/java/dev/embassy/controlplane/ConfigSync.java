package dev.embassy.controlplane;

import dev.embassy.config.store.ConfigSnapshot;
import dev.embassy.controlplane.cache.GroupSnapshot;
import dev.embassy.controlplane.cache.XdsCache;
import dev.embassy.controlplane.cache.XdsType;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.controlplane.ir.AffectedGroups;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.controlplane.ir.NodeGroupBuilder;
import dev.embassy.controlplane.ir.NodeGroupConfig;
import dev.embassy.controlplane.ir.TranslationSettings;
import dev.embassy.controlplane.quarantine.RouteQuarantine;
import dev.embassy.controlplane.status.ControlPlaneMetrics;
import dev.embassy.controlplane.translate.TranslationMemo;
import dev.embassy.controlplane.translate.XdsResources;
import dev.embassy.controlplane.translate.XdsTranslator;
import dev.embassy.controlplane.xds.ServedRevisions;
import dev.embassy.controlplane.xds.SnapshotConsistency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One step of the pipeline per revision: build each node group's IR, translate it, check it, and
 * publish it to the cache. A revision whose output fails the consistency check is not served at
 * all; Envoys keep the last good revision. A node group that disappears is published empty, so
 * its Envoys drop the config rather than keep serving deleted routes.
 */
public final class ConfigSync implements Consumer<ConfigSnapshot> {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigSync.class);

  private final XdsCache cache;
  private final TranslationSettings settings;
  private final EndpointSource endpoints;
  private final dev.embassy.controlplane.ir.MeshSource mesh;
  /** Node groups whose Connect state changed since the last build; the next build includes them. */
  private final Set<String> meshChanged = new HashSet<>();
  private final ControlPlaneMetrics metrics;
  private final ServedRevisions served;
  private final RouteQuarantine quarantine;
  private final Runnable onPublished;
  private final Set<String> published = new HashSet<>();
  private final TranslationMemo memo = TranslationMemo.create();
  /** What was last served, after the quarantine took out what proxies rejected. */
  private ConfigDocument lastDocument;
  private ConfigSnapshot lastSnapshot;
  /** Each node group's IR as last built; endpoint changes patch its clusters' assignments. */
  private final Map<String, NodeGroupConfig> lastBuilt = new java.util.HashMap<>();
  private Map<String, Map<String, ServedRevisions.Served>> lastVersions = Map.of();
  private volatile long servedRevision = -1;

  /**
   * @param quarantine routes proxies rejected, kept out of what is served
   * @param onPublished told after every publication (what proxies rejected may have been replaced)
   */
  public ConfigSync(XdsCache cache, TranslationSettings settings, EndpointSource endpoints, dev.embassy.controlplane.ir.MeshSource mesh,
      ControlPlaneMetrics metrics, ServedRevisions served, RouteQuarantine quarantine, Runnable onPublished) {
    this.mesh = mesh;
    this.quarantine = quarantine;
    this.onPublished = onPublished;
    this.cache = cache;
    this.settings = settings;
    this.endpoints = endpoints;
    this.metrics = metrics;
    this.served = served;
    metrics.gauge("embassy.controlplane.revision.served", "Config revision being served; -1 before the first", () -> servedRevision);
  }

  /**
   * Consul Connect state (roots, a leaf, intentions) changed: the node groups with a Connect
   * identity are built again from the revision being served. Per-resource versions mean a
   * rotated leaf reaches Envoy as one Secret (SDS), and changed intentions as the inbound
   * RouteConfiguration (RDS); neither re-sends a Listener, so no connection drains.
   */
  public synchronized void meshChanged() {
    if (lastSnapshot == null) {
      return;
    }
    lastDocument.gateways().stream().filter(g -> g.identity().isPresent())
        .forEach(g -> meshChanged.add(g.nodeGroup()));
    if (!meshChanged.isEmpty()) {
      accept(lastSnapshot);
    }
  }

  /** Builds the revision being served again, e.g. after the quarantine changed; nothing before the first. */
  public synchronized void reapply() {
    if (lastSnapshot != null) {
      accept(lastSnapshot);
    }
  }

  @Override
  public synchronized void accept(ConfigSnapshot snapshot) {
    long started = System.nanoTime();
    List<XdsResources> groups = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<dev.embassy.config.store.Quarantines.Quarantined> quarantinedBefore = quarantine.quarantined();
    ConfigDocument document = quarantine.apply(snapshot.document(), snapshot.revision());
    List<dev.embassy.config.store.Quarantines.Quarantined> quarantinedNow = quarantine.quarantined();
    if (quarantinedNow.size() < quarantinedBefore.size()) {
      LOG.atInfo().addKeyValue("revision", snapshot.revision()).addKeyValue("quarantined", quarantinedNow.stream().map(q -> q.kind().pathSegment() + "/" + q.name()).toList())
          .log("resources changed or deleted since they were rejected are out of quarantine and tried again");
    }
    // Groups the revision cannot have changed keep what they are served, untouched.
    Set<String> meshGroups = Set.copyOf(meshChanged);
    meshChanged.clear();
    Optional<Set<String>> affected = AffectedGroups.between(lastDocument, document).map(changedGroups -> {
      Set<String> all = new HashSet<>(changedGroups);
      all.addAll(meshGroups);
      return all;
    });
    List<NodeGroupConfig> built = NodeGroupBuilder.build(document, settings, endpoints, mesh,
        group -> affected.map(a -> a.contains(group)).orElse(true));
    long builtAt = System.nanoTime();
    for (NodeGroupConfig group : built) {
      groups.add(XdsTranslator.translate(group, memo));
      memo.translated(group.nodeGroup());
    }
    Map<String, NodeGroupConfig> builtByGroup = new java.util.HashMap<>();
    built.forEach(g -> builtByGroup.put(g.nodeGroup(), g));
    long translatedAt = System.nanoTime();
    for (XdsResources resources : groups) {
      SnapshotConsistency.problems(resources).forEach(p -> problems.add(resources.nodeGroup() + ": " + p));
    }
    long checkedAt = System.nanoTime();
    if (!problems.isEmpty()) {
      metrics.rejectedRevision();
      LOG.atError().addKeyValue("revision", snapshot.revision()).addKeyValue("problems", problems)
          .log("revision {} not served: its translation is inconsistent; the last good revision keeps being served", snapshot.revision());
      return;
    }
    Map<String, Map<String, ServedRevisions.Served>> versions = new TreeMap<>();
    Set<String> present = new HashSet<>();
    document.gateways().forEach(g -> present.add(g.nodeGroup()));
    Set<String> gone = new HashSet<>(published);
    gone.removeAll(present);
    for (String group : present) {
      if (affected.isPresent() && !affected.get().contains(group) && lastVersions.containsKey(group)) {
        versions.put(group, lastVersions.get(group));
      }
    }
    long versioning = 0;
    for (XdsResources group : groups) {
      long before = System.nanoTime();
      GroupSnapshot next = GroupSnapshot.of(group, snapshot.revision(), cache.target(group.nodeGroup()).orElse(null));
      versioning += System.nanoTime() - before;
      cache.publish(next);
      versions.put(group.nodeGroup(), versions(next));
      published.add(group.nodeGroup());
    }
    for (String group : gone) {
      memo.forget(group);
      GroupSnapshot empty = GroupSnapshot.empty(group);
      cache.publish(empty);
      versions.put(group, versions(empty));
      published.remove(group);
    }
    cache.loaded();
    onPublished.run();
    served.record(snapshot.revision(), versions);
    lastBuilt.putAll(builtByGroup);
    lastBuilt.keySet().retainAll(present);
    lastVersions = versions;
    lastDocument = document;
    lastSnapshot = snapshot;
    servedRevision = snapshot.revision();
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    metrics.translated(took);
    LOG.atInfo().addKeyValue("revision", snapshot.revision()).addKeyValue("rebuilt_groups", groups.size())
        .addKeyValue("took_ms", took.toMillis()).addKeyValue("build_ms", millis(builtAt - started))
        .addKeyValue("translate_ms", millis(translatedAt - builtAt)).addKeyValue("check_ms", millis(checkedAt - translatedAt))
        .addKeyValue("version_ms", millis(versioning)).addKeyValue("publish_ms", millis(System.nanoTime() - checkedAt - versioning))
        .log("serving revision {}", snapshot.revision());
  }

  /**
   * Endpoints of the clusters {@code affected} accepts changed (discovery answered): their
   * assignments are re-translated and published alone. No config revision, no other type touched.
   */
  public synchronized void endpointsChanged(java.util.function.Predicate<dev.embassy.config.model.Cluster> affected) {
    for (NodeGroupConfig group : lastBuilt.values()) {
      List<io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment> assignments = new ArrayList<>();
      for (dev.embassy.controlplane.ir.UpstreamCluster cluster : group.clusters()) {
        // A Connect cluster without its caller's identity keeps no endpoints, whatever discovery says.
        if (affected.test(cluster.cluster()) && !cluster.meshClosed()) {
          XdsTranslator.endpoints(cluster.withEndpoints(endpoints.endpoints(cluster.cluster()))).ifPresent(assignments::add);
        }
      }
      Optional<GroupSnapshot> current = cache.target(group.nodeGroup());
      if (assignments.isEmpty() || current.isEmpty()) {
        continue;
      }
      GroupSnapshot next = current.get().withEndpoints(assignments);
      cache.publish(next);
      onPublished.run();
      served.updateEndpoints(group.nodeGroup(), ServedRevisions.Served.of(next.version(XdsType.ENDPOINT),
          Set.copyOf(next.resources(XdsType.ENDPOINT).keySet())));
      LOG.debug("endpoints of {} cluster(s) in node group {} changed", assignments.size(), group.nodeGroup());
    }
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }

  /** The gateways of the config being served. */
  public synchronized List<String> gateways() {
    return lastDocument == null ? List.of() : lastDocument.gateways().stream().map(g -> g.name()).toList();
  }

  /** The revision whose config is being served; -1 before the first. */
  public long servedRevision() {
    return servedRevision;
  }

  /** Type URL → version and resource names, as Envoy reports them back in ACKs. */
  private static Map<String, ServedRevisions.Served> versions(GroupSnapshot snapshot) {
    Map<String, ServedRevisions.Served> byType = new TreeMap<>();
    for (XdsType type : XdsType.values()) {
      byType.put(type.typeUrl(), ServedRevisions.Served.of(snapshot.version(type), Set.copyOf(snapshot.resources(type).keySet())));
    }
    return byType;
  }
}
