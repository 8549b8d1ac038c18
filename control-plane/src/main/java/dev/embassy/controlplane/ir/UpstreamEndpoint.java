package dev.embassy.controlplane.ir;

import java.util.Optional;

/**
 * One address of a cluster: its load-balancing weight, its locality (for zone-aware load
 * balancing), and whether it is degraded (Consul's warning state, when the cluster asks for it):
 * Envoy sends to degraded endpoints only when there are not enough healthy ones.
 */
public record UpstreamEndpoint(String address, int port, int weight, Optional<String> region, Optional<String> zone, boolean degraded) {
  public UpstreamEndpoint(String address, int port, int weight) {
    this(address, port, weight, Optional.empty(), Optional.empty(), false);
  }
}
