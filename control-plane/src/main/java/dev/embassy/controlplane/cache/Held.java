package dev.embassy.controlplane.cache;

import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;

/**
 * What one proxy holds: for each type, the resources it has ACKed. The maps are usually the very
 * map instances of a served snapshot (a proxy that is in sync holds exactly what was served), so
 * a thousand proxies in sync cost a thousand references, not a thousand copies.
 */
final class Held {
  private final EnumMap<XdsType, SortedMap<String, XdsResource>> byType = new EnumMap<>(XdsType.class);
  /** Increases whenever anything held changes: views computed against an older generation are stale. */
  private long generation;

  Held() {
    for (XdsType type : XdsType.values()) {
      byType.put(type, java.util.Collections.emptySortedMap());
    }
  }

  SortedMap<String, XdsResource> of(XdsType type) {
    return byType.get(type);
  }

  void set(XdsType type, SortedMap<String, XdsResource> resources) {
    if (byType.get(type) != resources) {
      byType.put(type, resources);
      generation++;
    }
  }

  long generation() {
    return generation;
  }

  /**
   * Whether {@code cluster} is warm at the proxy: it holds the cluster and, for an EDS cluster, its
   * ClusterLoadAssignment. Only then may a route or listener that sends traffic to it follow.
   */
  boolean warm(String cluster) {
    XdsResource held = byType.get(XdsType.CLUSTER).get(cluster);
    return held != null && (!held.needsEndpoints() || byType.get(XdsType.ENDPOINT).containsKey(cluster));
  }

  /** Whether a held listener or route configuration still sends traffic to {@code cluster}. */
  boolean referenced(String cluster) {
    for (XdsType type : new XdsType[] {XdsType.LISTENER, XdsType.ROUTE}) {
      for (XdsResource resource : byType.get(type).values()) {
        if (resource.clusters().contains(cluster)) {
          return true;
        }
      }
    }
    return false;
  }

  Map<XdsType, SortedMap<String, XdsResource>> asMap() {
    return java.util.Collections.unmodifiableMap(byType);
  }
}
