package dev.embassy.controlplane.translate;

import com.google.protobuf.UInt32Value;
import dev.embassy.controlplane.ir.UpstreamCluster;
import dev.embassy.controlplane.ir.UpstreamEndpoint;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;

/** Builds the ClusterLoadAssignment (EDS) of a cluster. */
final class EndpointTranslator {
  private EndpointTranslator() {}

  static ClusterLoadAssignment loadAssignment(UpstreamCluster cluster) {
    LocalityLbEndpoints.Builder locality =
        LocalityLbEndpoints.newBuilder()
            // grpc-java's xDS client ignores a locality without a weight ("No usable endpoint"),
            // and Envoy ignores the weight unless locality-weighted LB is on, so always set it.
            .setLoadBalancingWeight(UInt32Value.of(1));
    for (UpstreamEndpoint endpoint : cluster.endpoints()) {
      locality.addLbEndpoints(LbEndpoint.newBuilder()
          .setLoadBalancingWeight(UInt32Value.of(endpoint.weight()))
          .setEndpoint(Endpoint.newBuilder().setAddress(Address.newBuilder()
              .setSocketAddress(SocketAddress.newBuilder().setAddress(endpoint.address()).setPortValue(endpoint.port())))));
    }
    // An empty assignment is still sent: a cluster with no endpoints must answer 503 at once,
    // not stall in warming waiting for EDS.
    return ClusterLoadAssignment.newBuilder().setClusterName(cluster.name()).addEndpoints(locality).build();
  }
}
