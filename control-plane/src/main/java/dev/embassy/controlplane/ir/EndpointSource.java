package dev.embassy.controlplane.ir;

import dev.embassy.config.model.Cluster;
import java.util.List;
import java.util.Optional;

/** Where the endpoints of discovered (not static) clusters come from, e.g. Consul. */
@FunctionalInterface
public interface EndpointSource {
  /**
   * The cluster's current endpoints; empty while the source has not answered for it yet (then the
   * cluster gets no assignment at all, rather than an empty one that would wipe what Envoys hold).
   * A known empty list is the source's real answer.
   */
  Optional<List<UpstreamEndpoint>> endpoints(Cluster cluster);

  /** No discovery: discovered clusters have no endpoints. */
  EndpointSource NONE = cluster -> Optional.of(List.of());
}
