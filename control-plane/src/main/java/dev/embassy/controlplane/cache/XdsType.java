package dev.embassy.controlplane.cache;

import io.envoyproxy.controlplane.cache.Resources;
import java.util.Arrays;
import java.util.Optional;

/**
 * The resource types Embassy serves. Clusters and listeners are requested by wildcard (the whole
 * set); endpoints, route configurations and secrets by name, for what the proxy's clusters and
 * listeners refer to.
 */
public enum XdsType {
  CLUSTER(Resources.V3.CLUSTER_TYPE_URL, true),
  ENDPOINT(Resources.V3.ENDPOINT_TYPE_URL, false),
  LISTENER(Resources.V3.LISTENER_TYPE_URL, true),
  ROUTE(Resources.V3.ROUTE_TYPE_URL, false),
  SECRET(Resources.V3.SECRET_TYPE_URL, false);

  private final String typeUrl;
  private final boolean wildcard;

  XdsType(String typeUrl, boolean wildcard) {
    this.typeUrl = typeUrl;
    this.wildcard = wildcard;
  }

  public String typeUrl() {
    return typeUrl;
  }

  public boolean wildcard() {
    return wildcard;
  }

  public static Optional<XdsType> byTypeUrl(String typeUrl) {
    return Arrays.stream(values()).filter(t -> t.typeUrl.equals(typeUrl)).findFirst();
  }
}
