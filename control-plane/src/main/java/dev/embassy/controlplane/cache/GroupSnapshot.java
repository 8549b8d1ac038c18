package dev.embassy.controlplane.cache;

import com.google.protobuf.Message;
import dev.embassy.controlplane.translate.XdsResources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Everything one node group is to receive, by type and name, each resource with its own
 * content-derived version. Immutable. Built from a translation, reusing the previous snapshot's
 * entry (same version, same message instance, so serialised once for all streams) for every
 * resource whose content did not change.
 */
public final class GroupSnapshot {
  private final String group;
  private final long revision;
  private final Map<XdsType, SortedMap<String, XdsResource>> resources;
  private final Map<XdsType, String> versions;
  private final Set<String> awaitingEndpoints;
  private final boolean forGrpcClients;

  private GroupSnapshot(String group, long revision, Map<XdsType, SortedMap<String, XdsResource>> resources, Set<String> awaitingEndpoints) {
    this.group = group;
    this.revision = revision;
    this.resources = resources;
    this.awaitingEndpoints = Set.copyOf(awaitingEndpoints);
    this.versions = new EnumMap<>(XdsType.class);
    for (XdsType type : XdsType.values()) {
      versions.put(type, TypeVersion.of(resources.get(type).values()));
    }
    SortedMap<String, XdsResource> listeners = resources.get(XdsType.LISTENER);
    this.forGrpcClients = !listeners.isEmpty()
        && listeners.values().stream().allMatch(l -> ((Listener) l.message()).hasApiListener());
  }

  /** An empty snapshot: a node group with no config (new, or one whose gateways were deleted). */
  public static GroupSnapshot empty(String group) {
    Map<XdsType, SortedMap<String, XdsResource>> resources = new EnumMap<>(XdsType.class);
    for (XdsType type : XdsType.values()) {
      resources.put(type, Collections.emptySortedMap());
    }
    return new GroupSnapshot(group, -1, resources, Set.of());
  }

  /** The snapshot of a translation at {@code revision}; {@code previous} (may be null) lends unchanged entries. */
  public static GroupSnapshot of(XdsResources translated, long revision, GroupSnapshot previous) {
    Map<XdsType, SortedMap<String, XdsResource>> resources = new EnumMap<>(XdsType.class);
    resources.put(XdsType.CLUSTER, entries(translated.clusters(), Cluster::getName, previous, XdsType.CLUSTER,
        c -> Set.of(), ResourceReferences::needsEndpoints));
    resources.put(XdsType.ENDPOINT, entries(translated.endpoints(), ClusterLoadAssignment::getClusterName, previous, XdsType.ENDPOINT,
        e -> Set.of(), e -> false));
    resources.put(XdsType.LISTENER, entries(translated.listeners(), Listener::getName, previous, XdsType.LISTENER,
        ResourceReferences::clusters, l -> false));
    resources.put(XdsType.ROUTE, entries(translated.routes(), RouteConfiguration::getName, previous, XdsType.ROUTE,
        ResourceReferences::clusters, r -> false));
    resources.put(XdsType.SECRET, entries(translated.secrets(), Secret::getName, previous, XdsType.SECRET,
        s -> Set.of(), s -> false));
    return new GroupSnapshot(translated.nodeGroup(), revision, resources, translated.awaitingEndpoints());
  }

  /** A snapshot of resources already versioned (the served variant of a target). */
  static GroupSnapshot of(String group, long revision, Map<XdsType, SortedMap<String, XdsResource>> resources, Set<String> awaitingEndpoints) {
    return new GroupSnapshot(group, revision, new EnumMap<>(resources), awaitingEndpoints);
  }

  /**
   * This snapshot with some clusters' endpoints replaced: an endpoint change touches EDS alone.
   * Each of {@code changed} now has an assignment, so none of them is awaiting discovery any more.
   */
  public GroupSnapshot withEndpoints(List<ClusterLoadAssignment> changed) {
    SortedMap<String, XdsResource> current = resources.get(XdsType.ENDPOINT);
    List<ClusterLoadAssignment> all = new java.util.ArrayList<>();
    Map<String, ClusterLoadAssignment> byName = new java.util.HashMap<>();
    changed.forEach(c -> byName.put(c.getClusterName(), c));
    for (XdsResource resource : current.values()) {
      ClusterLoadAssignment replacement = byName.remove(resource.name());
      all.add(replacement != null ? replacement : (ClusterLoadAssignment) resource.message());
    }
    all.addAll(byName.values());
    Map<XdsType, SortedMap<String, XdsResource>> updated = new EnumMap<>(resources);
    updated.put(XdsType.ENDPOINT, entries(all, ClusterLoadAssignment::getClusterName, this, XdsType.ENDPOINT, e -> Set.of(), e -> false));
    Set<String> awaiting = new java.util.HashSet<>(awaitingEndpoints);
    changed.forEach(c -> awaiting.remove(c.getClusterName()));
    return new GroupSnapshot(group, revision, updated, awaiting);
  }

  /**
   * Whether the group is served to proxyless gRPC clients (its listeners are all api_listeners,
   * which validation keeps out of Envoy node groups). Such a client does make-before-break itself:
   * it asks for a route's clusters only once it has the route, and applies a new route only once
   * every cluster it names has arrived with its endpoints (grpc-java's XdsDependencyManager,
   * gRFC A74). Holding the route back until those clusters are warm would never end.
   */
  public boolean forGrpcClients() {
    return forGrpcClients;
  }

  /** EDS clusters whose discovery has not answered: no assignment exists, and none may be invented. */
  public Set<String> awaitingEndpoints() {
    return awaitingEndpoints;
  }

  private static <T extends Message> SortedMap<String, XdsResource> entries(List<T> messages, Function<T, String> name,
      GroupSnapshot previous, XdsType type, Function<T, Set<String>> clusters, java.util.function.Predicate<T> needsEndpoints) {
    SortedMap<String, XdsResource> entries = new TreeMap<>();
    SortedMap<String, XdsResource> before = previous == null ? Collections.emptySortedMap() : previous.resources(type);
    boolean unchanged = messages.size() == before.size();
    for (T message : messages) {
      String resourceName = name.apply(message);
      XdsResource old = before.get(resourceName);
      if (old != null && (old.message() == message || old.message().equals(message))) {
        entries.put(resourceName, old);
      } else {
        unchanged = false;
        entries.put(resourceName, new XdsResource(resourceName, message, ResourceVersion.of(message),
            clusters.apply(message), needsEndpoints.test(message)));
      }
    }
    // The same map instance when nothing changed: proxies that hold it are in sync by identity,
    // which is what lets the cache skip them in O(1).
    return unchanged ? before : new IndexedSortedMap(entries);
  }

  public String group() {
    return group;
  }

  /** The config revision this snapshot was translated from; -1 for an empty snapshot. */
  public long revision() {
    return revision;
  }

  public SortedMap<String, XdsResource> resources(XdsType type) {
    return resources.get(type);
  }

  /** The version of all resources of {@code type}, as a state-of-the-world response for all of them carries it. */
  public String version(XdsType type) {
    return versions.get(type);
  }
}
