package dev.embassy.controlplane.ir;

import dev.embassy.config.model.Cluster;
import java.util.List;
import java.util.Optional;

/**
 * A cluster as configured, with the endpoints it currently has (empty while its discovery has not
 * answered yet) and, when its TLS names a CA certificate, that certificate's PEM chain.
 */
public record UpstreamCluster(Cluster cluster, Optional<List<UpstreamEndpoint>> endpoints, Optional<String> trustedCaPem) {
  public UpstreamCluster {
    endpoints = endpoints.map(List::copyOf);
  }

  public String name() {
    return cluster.name();
  }
}
