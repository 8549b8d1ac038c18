package dev.embassy.controlplane.cache;

import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One node group: the snapshot its translation produced (the target), and the snapshot actually
 * served, which differs only after a NACK. A version any proxy of the group rejects is withdrawn
 * from the whole group, which goes back to the version served before it (the last good one), until
 * a new translation changes that resource. So one bad resource never loops and never splits a
 * group into Envoys running different config; everything else keeps flowing.
 */
final class GroupState {
  private final String name;
  private final Map<String, ProxyState> proxies = new ConcurrentHashMap<>();
  private final EnumMap<XdsType, Map<String, Set<String>>> rejected = new EnumMap<>(XdsType.class);
  private final EnumMap<XdsType, Map<String, XdsResource>> lastGood = new EnumMap<>(XdsType.class);
  private volatile GroupSnapshot target;
  private volatile GroupSnapshot served;

  GroupState(String name) {
    this.name = name;
    this.target = GroupSnapshot.empty(name);
    this.served = target;
    for (XdsType type : XdsType.values()) {
      rejected.put(type, new HashMap<>());
      lastGood.put(type, new HashMap<>());
    }
  }

  String name() {
    return name;
  }

  GroupSnapshot served() {
    return served;
  }

  GroupSnapshot target() {
    return target;
  }

  Map<String, ProxyState> proxies() {
    return proxies;
  }

  /** Replaces the target; returns whether the served snapshot changed. */
  synchronized boolean target(GroupSnapshot next) {
    GroupSnapshot before = served;
    for (XdsType type : XdsType.values()) {
      SortedMap<String, XdsResource> now = next.resources(type);
      Map<String, XdsResource> good = lastGood.get(type);
      for (XdsResource entry : now.values()) {
        XdsResource previous = before.resources(type).get(entry.name());
        if (previous != null && !previous.version().equals(entry.version())) {
          good.put(entry.name(), previous);
        }
      }
      good.keySet().retainAll(now.keySet());
      // A rejection stands only while the target still holds the rejected content: changed
      // content deserves a try.
      rejected.get(type).entrySet().removeIf(e -> {
        XdsResource current = now.get(e.getKey());
        return current == null || !e.getValue().contains(current.version());
      });
    }
    target = next;
    recompute();
    return served != before;
  }

  /** Withdraws {@code resources} of {@code type} from the group; returns whether the served snapshot changed. */
  synchronized boolean reject(XdsType type, Collection<XdsResource> resources) {
    boolean added = false;
    for (XdsResource resource : resources) {
      if (ProxyView.EMPTY_ASSIGNMENT_VERSION.equals(resource.version())) {
        continue;
      }
      added |= rejected.get(type).computeIfAbsent(resource.name(), n -> new HashSet<>()).add(resource.version());
    }
    if (!added) {
      return false;
    }
    GroupSnapshot before = served;
    recompute();
    return served != before;
  }

  /** Names and versions currently withdrawn, for status. */
  synchronized Map<XdsType, Map<String, Set<String>>> rejections() {
    Map<XdsType, Map<String, Set<String>>> copy = new EnumMap<>(XdsType.class);
    rejected.forEach((type, byName) -> {
      if (!byName.isEmpty()) {
        Map<String, Set<String>> names = new TreeMap<>();
        byName.forEach((n, versions) -> names.put(n, Set.copyOf(versions)));
        copy.put(type, names);
      }
    });
    return copy;
  }

  private void recompute() {
    if (rejected.values().stream().allMatch(Map::isEmpty)) {
      served = target;
      return;
    }
    EnumMap<XdsType, SortedMap<String, XdsResource>> resources = new EnumMap<>(XdsType.class);
    for (XdsType type : XdsType.values()) {
      Map<String, Set<String>> withdrawn = rejected.get(type);
      SortedMap<String, XdsResource> now = target.resources(type);
      if (withdrawn.isEmpty()) {
        resources.put(type, now);
        continue;
      }
      SortedMap<String, XdsResource> kept = new TreeMap<>();
      for (XdsResource entry : now.values()) {
        Set<String> versions = withdrawn.get(entry.name());
        if (versions == null || !versions.contains(entry.version())) {
          kept.put(entry.name(), entry);
          continue;
        }
        XdsResource good = lastGood.get(type).get(entry.name());
        if (good != null && !versions.contains(good.version())) {
          kept.put(entry.name(), good);
        }
      }
      resources.put(type, new IndexedSortedMap(kept));
    }
    keepReferencedClusters(resources);
    served = GroupSnapshot.of(name, target.revision(), resources, target.awaitingEndpoints());
  }

  /**
   * A route configuration that fell back to its last good version may still send traffic to a
   * cluster the new target dropped; keep that cluster (and its endpoints) served, so what the
   * group is served stays self-consistent.
   */
  private void keepReferencedClusters(EnumMap<XdsType, SortedMap<String, XdsResource>> resources) {
    Set<String> needed = new HashSet<>();
    for (XdsType type : new XdsType[] {XdsType.LISTENER, XdsType.ROUTE}) {
      resources.get(type).values().forEach(r -> needed.addAll(r.clusters()));
    }
    needed.removeAll(resources.get(XdsType.CLUSTER).keySet());
    if (needed.isEmpty()) {
      return;
    }
    SortedMap<String, XdsResource> clusters = new TreeMap<>(resources.get(XdsType.CLUSTER));
    SortedMap<String, XdsResource> endpoints = new TreeMap<>(resources.get(XdsType.ENDPOINT));
    for (String cluster : needed) {
      XdsResource good = served.resources(XdsType.CLUSTER).get(cluster);
      // Never the version a proxy rejected: a route to a cluster with no good version waits (the
      // quarantine takes such routes out), it does not bring the rejected cluster back.
      if (good != null && !rejected.get(XdsType.CLUSTER).getOrDefault(cluster, Set.of()).contains(good.version())) {
        clusters.put(cluster, good);
        XdsResource assignment = served.resources(XdsType.ENDPOINT).get(cluster);
        if (assignment != null) {
          endpoints.putIfAbsent(cluster, assignment);
        }
      }
    }
    resources.put(XdsType.CLUSTER, new IndexedSortedMap(clusters));
    resources.put(XdsType.ENDPOINT, new IndexedSortedMap(endpoints));
  }
}
