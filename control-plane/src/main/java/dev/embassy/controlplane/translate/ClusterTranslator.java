package dev.embassy.controlplane.translate;

import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;

/** Builds an EDS cluster whose endpoints arrive over the same ADS stream. */
final class ClusterTranslator {
  private ClusterTranslator() {}

  static Cluster cluster(dev.embassy.controlplane.ir.Cluster cluster) {
    return Cluster.newBuilder()
        .setName(cluster.name())
        .setType(Cluster.DiscoveryType.EDS)
        // Endpoints change far more often than clusters; EDS lets them move without re-sending
        // (and re-warming) the cluster.
        .setEdsClusterConfig(
            Cluster.EdsClusterConfig.newBuilder()
                .setEdsConfig(ConfigSources.ads())
                .setServiceName(cluster.name()))
        .setConnectTimeout(Durations.fromMillis(cluster.connectTimeout().toMillis()))
        .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
        .build();
  }
}
