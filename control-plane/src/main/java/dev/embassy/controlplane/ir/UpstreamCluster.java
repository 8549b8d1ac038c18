package dev.embassy.controlplane.ir;

import dev.embassy.config.model.Cluster;
import java.util.List;
import java.util.Optional;

/**
 * A cluster as configured, with the endpoints it currently has and, when its TLS names a CA
 * certificate, that certificate's PEM chain.
 */
public record UpstreamCluster(Cluster cluster, List<UpstreamEndpoint> endpoints, Optional<String> trustedCaPem) {
  public UpstreamCluster {
    endpoints = List.copyOf(endpoints);
  }

  public String name() {
    return cluster.name();
  }
}
