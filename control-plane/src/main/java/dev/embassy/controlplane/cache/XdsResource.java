package dev.embassy.controlplane.cache;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.VersionedResource;
import java.util.Set;

/**
 * One Envoy resource as the cache holds it: its content-derived version, and what must be in
 * place at a proxy before the resource may be sent there. {@code clusters} are the clusters a
 * listener or route configuration sends traffic to (make-before-break waits until the proxy holds
 * each of them, warm); {@code needsEndpoints} marks an EDS cluster, which is warm only once the
 * proxy also holds its ClusterLoadAssignment.
 */
public record XdsResource(String name, Message message, String version, Set<String> clusters, boolean needsEndpoints) {
  public XdsResource {
    clusters = Set.copyOf(clusters);
  }

  VersionedResource<Message> versioned() {
    return VersionedResource.create(message, version);
  }
}
