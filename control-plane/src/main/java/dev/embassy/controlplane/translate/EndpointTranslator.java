package dev.embassy.controlplane.translate;

import com.google.protobuf.UInt32Value;
import dev.embassy.controlplane.ir.UpstreamCluster;
import dev.embassy.controlplane.ir.UpstreamEndpoint;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds the ClusterLoadAssignment (EDS) of a cluster: endpoints grouped by locality (region and
 * zone, for Envoy's zone-aware load balancing), degraded ones marked so Envoy uses them only when
 * healthy ones run short.
 */
final class EndpointTranslator {
  private EndpointTranslator() {}

  /** The assignment; empty while the cluster's discovery has not answered (no assignment beats a wrong one). */
  static Optional<ClusterLoadAssignment> loadAssignment(UpstreamCluster cluster) {
    return cluster.endpoints().map(endpoints -> assignment(cluster.name(), endpoints));
  }

  private static ClusterLoadAssignment assignment(String name, List<UpstreamEndpoint> endpoints) {
    // Localities in a fixed order (the unnamed one first), so equal input gives equal bytes.
    Map<String, LocalityLbEndpoints.Builder> localities = new TreeMap<>();
    for (UpstreamEndpoint endpoint : endpoints) {
      String region = endpoint.region().orElse("");
      String zone = endpoint.zone().orElse("");
      LbEndpoint.Builder lb = LbEndpoint.newBuilder()
          .setLoadBalancingWeight(UInt32Value.of(endpoint.weight()))
          .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder()
              .setSocketAddress(SocketAddress.newBuilder().setAddress(endpoint.address()).setPortValue(endpoint.port()))));
      if (endpoint.degraded()) {
        lb.setHealthStatus(HealthStatus.DEGRADED);
      }
      localities.computeIfAbsent(region + "\u0000" + zone, k -> locality(region, zone)).addLbEndpoints(lb);
    }
    if (localities.isEmpty()) {
      // An empty assignment is still sent: a cluster with no endpoints must answer 503 at once,
      // not stall in warming waiting for EDS.
      localities.put("", locality("", ""));
    }
    ClusterLoadAssignment.Builder assignment = ClusterLoadAssignment.newBuilder().setClusterName(name);
    localities.values().forEach(assignment::addEndpoints);
    return assignment.build();
  }

  private static LocalityLbEndpoints.Builder locality(String region, String zone) {
    LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder()
        // grpc-java's xDS client ignores a locality without a weight ("No usable endpoint"),
        // and Envoy ignores the weight unless locality-weighted LB is on, so always set it.
        .setLoadBalancingWeight(UInt32Value.of(1));
    if (!region.isEmpty() || !zone.isEmpty()) {
      locality.setLocality(Locality.newBuilder().setRegion(region).setZone(zone));
    }
    return locality;
  }
}
