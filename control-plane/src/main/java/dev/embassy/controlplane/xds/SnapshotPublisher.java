package dev.embassy.controlplane.xds;

import dev.embassy.controlplane.translate.XdsResources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes translated resources to the cache that ADS streams read from, one snapshot per node
 * group. Each resource type carries its own content-derived version, so a change to routes does
 * not make Envoy re-apply unchanged clusters, listeners or endpoints, and two replicas that
 * translate the same revision serve identical versions.
 */
public final class SnapshotPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

  private final SimpleCache<String> cache;
  private final Set<String> published = new HashSet<>();

  public SnapshotPublisher() {
    // Envoys select their config by node.cluster, which the bootstrap sets to the node group.
    this.cache = new SimpleCache<>(node -> node.getCluster());
  }

  public SimpleCache<String> cache() {
    return cache;
  }

  /** Publishes {@code resources} and returns the snapshot now served to its node group. */
  public synchronized Snapshot publish(XdsResources resources) {
    Snapshot snapshot =
        Snapshot.create(
            resources.clusters(), ContentVersion.of(resources.clusters()),
            resources.endpoints(), ContentVersion.of(resources.endpoints()),
            resources.listeners(), ContentVersion.of(resources.listeners()),
            resources.routes(), ContentVersion.of(resources.routes()),
            resources.secrets(), ContentVersion.of(resources.secrets()));
    cache.setSnapshot(resources.nodeGroup(), snapshot);
    published.add(resources.nodeGroup());
    LOG.info("published node_group={} listeners={} routes={} clusters={} endpoints={} secrets={} route_version={}",
        resources.nodeGroup(), resources.listeners().size(), resources.routes().size(), resources.clusters().size(),
        resources.endpoints().size(), resources.secrets().size(), snapshot.routes().version());
    return snapshot;
  }

  /**
   * Publishes every node group of a revision; a node group that no longer exists gets an empty
   * snapshot, so its Envoys drop the config rather than keep serving deleted routes.
   */
  public synchronized java.util.Map<String, java.util.Map<String, ServedRevisions.Served>> publishAll(List<XdsResources> groups) {
    Set<String> gone = new HashSet<>(published);
    java.util.Map<String, java.util.Map<String, ServedRevisions.Served>> versions = new java.util.TreeMap<>();
    for (XdsResources group : groups) {
      versions.put(group.nodeGroup(), versions(publish(group)));
      gone.remove(group.nodeGroup());
    }
    for (String group : gone) {
      versions.put(group, versions(publish(new XdsResources(group, List.of(), List.of(), List.of(), List.of(), List.of()))));
    }
    return versions;
  }

  /** Type URL → version and resource names of a snapshot, as Envoy reports them back in ACKs. */
  private static java.util.Map<String, ServedRevisions.Served> versions(Snapshot snapshot) {
    return java.util.Map.of(
        io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL, served(snapshot.clusters()),
        io.envoyproxy.controlplane.cache.Resources.V3.ENDPOINT_TYPE_URL, served(snapshot.endpoints()),
        io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL, served(snapshot.listeners()),
        io.envoyproxy.controlplane.cache.Resources.V3.ROUTE_TYPE_URL, served(snapshot.routes()),
        io.envoyproxy.controlplane.cache.Resources.V3.SECRET_TYPE_URL, served(snapshot.secrets()));
  }

  private static ServedRevisions.Served served(io.envoyproxy.controlplane.cache.SnapshotResources<?> resources) {
    return new ServedRevisions.Served(resources.version(), Set.copyOf(resources.resources().keySet()));
  }
}
