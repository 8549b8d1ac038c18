package dev.embassy.controlplane.xds;

import dev.embassy.controlplane.translate.XdsResources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes translated resources to the cache that ADS streams read from, one snapshot per node
 * group. Each resource type carries its own content-derived version, so publishing a change to
 * routes does not make Envoy re-apply unchanged clusters, listeners or endpoints.
 */
public final class SnapshotPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

  private final SimpleCache<String> cache;

  public SnapshotPublisher() {
    // Envoys select their config by node.cluster, which the bootstrap sets to the node group.
    this.cache = new SimpleCache<>(node -> node.getCluster());
  }

  public SimpleCache<String> cache() {
    return cache;
  }

  /** Publishes {@code resources} and returns the snapshot now served to its node group. */
  public Snapshot publish(XdsResources resources) {
    Snapshot snapshot =
        Snapshot.create(
            resources.clusters(), ContentVersion.of(resources.clusters()),
            resources.endpoints(), ContentVersion.of(resources.endpoints()),
            resources.listeners(), ContentVersion.of(resources.listeners()),
            resources.routes(), ContentVersion.of(resources.routes()),
            List.of(), ContentVersion.of(List.of()));
    cache.setSnapshot(resources.nodeGroup(), snapshot);
    LOG.info(
        "published node_group={} listeners={} routes={} clusters={} endpoints={} route_version={}",
        resources.nodeGroup(),
        resources.listeners().size(),
        resources.routes().size(),
        resources.clusters().size(),
        resources.endpoints().size(),
        snapshot.routes().version());
    return snapshot;
  }
}
