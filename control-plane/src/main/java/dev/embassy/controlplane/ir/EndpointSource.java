package dev.embassy.controlplane.ir;

import dev.embassy.config.model.Cluster;
import java.util.List;

/** Where the endpoints of discovered (not static) clusters come from, e.g. Consul. */
@FunctionalInterface
public interface EndpointSource {
  /** The cluster's current endpoints; empty when none are known (never an error). */
  List<UpstreamEndpoint> endpoints(Cluster cluster);

  EndpointSource NONE = cluster -> List.of();
}
