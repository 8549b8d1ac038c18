package dev.embassy.controlplane.ir;

import dev.embassy.config.model.Cluster;
import java.util.List;
import java.util.Optional;

/**
 * A cluster as configured, with the endpoints it currently has (empty while its discovery has not
 * answered yet) and, when its TLS names a CA certificate, that certificate's PEM chain. A Connect
 * cluster carries its {@link UpstreamMesh} once the caller's identity is known.
 */
public record UpstreamCluster(Cluster cluster, Optional<List<UpstreamEndpoint>> endpoints, Optional<String> trustedCaPem,
    Optional<UpstreamMesh> mesh) {
  public UpstreamCluster {
    endpoints = endpoints.map(List::copyOf);
  }

  public UpstreamCluster(Cluster cluster, Optional<List<UpstreamEndpoint>> endpoints, Optional<String> trustedCaPem) {
    this(cluster, endpoints, trustedCaPem, Optional.empty());
  }

  /** The same cluster with other endpoints (discovery answered). */
  public UpstreamCluster withEndpoints(Optional<List<UpstreamEndpoint>> next) {
    return new UpstreamCluster(cluster, next, trustedCaPem, mesh);
  }

  /**
   * A Connect cluster whose caller has no identity yet (Consul has not answered for the leaf or
   * roots): it keeps no endpoints, so nothing is ever sent to a Connect sidecar without mTLS.
   */
  public boolean meshClosed() {
    return cluster.connect().isPresent() && mesh.isEmpty();
  }

  public String name() {
    return cluster.name();
  }
}
