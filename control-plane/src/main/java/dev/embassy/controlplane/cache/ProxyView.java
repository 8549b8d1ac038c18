package dev.embassy.controlplane.cache;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one proxy is to receive of one type right now: its node group's served snapshot, held back
 * where the proxy is not ready for it. Pure; the rules of make-before-break live here.
 *
 * <ul>
 *   <li>A listener or route configuration goes out only when every cluster it sends traffic to is
 *       warm at the proxy (ACKed, and for EDS clusters their endpoints ACKed too). Until then the
 *       proxy is sent the version it already holds, or nothing if it holds none, so it keeps
 *       routing as before instead of 503ing into a cluster still warming (Consul #10379). A gRPC
 *       client is held back less: see {@link #ready}.
 *   <li>A cluster leaves the proxy only when nothing the proxy holds still routes to it.
 *   <li>An endpoint request for a name the snapshot lacks is answered with an empty
 *       ClusterLoadAssignment rather than by withholding the whole response, which is what
 *       java-control-plane's SimpleCache does (#124, #127, #131): clusters stall in warming.
 * </ul>
 */
final class ProxyView {
  /** The version every empty assignment carries: its content is its name alone. */
  static final String EMPTY_ASSIGNMENT_VERSION = "empty";

  private ProxyView() {}

  /** The resources of a wildcard type (clusters, listeners) for the proxy. */
  static SortedMap<String, XdsResource> wildcard(XdsType type, GroupSnapshot served, Held held) {
    SortedMap<String, XdsResource> base = served.resources(type);
    return switch (type) {
      case CLUSTER -> clusters(base, held);
      case LISTENER -> gated(type, served, null, held);
      default -> throw new IllegalArgumentException(type + " is requested by name");
    };
  }

  /** The resources of a type requested by name (endpoints, route configurations, secrets). */
  static SortedMap<String, XdsResource> named(XdsType type, GroupSnapshot served, Held held, NameSet names) {
    SortedMap<String, XdsResource> base = served.resources(type);
    return switch (type) {
      case ENDPOINT -> endpoints(base, held, names, served.awaitingEndpoints());
      case ROUTE -> gated(type, served, names, held);
      case SECRET -> subset(base, names);
      default -> throw new IllegalArgumentException(type + " is requested by wildcard");
    };
  }

  private static SortedMap<String, XdsResource> clusters(SortedMap<String, XdsResource> served, Held held) {
    if (held.of(XdsType.CLUSTER) == served) {
      return served;
    }
    SortedMap<String, XdsResource> keep = null;
    for (XdsResource cluster : held.of(XdsType.CLUSTER).values()) {
      if (!served.containsKey(cluster.name()) && held.referenced(cluster.name())) {
        if (keep == null) {
          keep = new TreeMap<>(served);
        }
        keep.put(cluster.name(), cluster);
      }
    }
    return keep == null ? served : new IndexedSortedMap(keep);
  }

  private static SortedMap<String, XdsResource> endpoints(SortedMap<String, XdsResource> served, Held held, NameSet names, Set<String> awaiting) {
    if (names.sameAs(served)) {
      return served;
    }
    SortedMap<String, XdsResource> view = new TreeMap<>();
    for (String name : names.names()) {
      XdsResource assignment = served.get(name);
      if (assignment == null) {
        // A cluster kept alive for the proxy keeps its endpoints too; anything else unknown is
        // answered empty, never withheld.
        assignment = held.of(XdsType.ENDPOINT).get(name);
      }
      if (assignment != null) {
        view.put(name, assignment);
      } else if (!awaiting.contains(name)) {
        view.put(name, emptyAssignment(name));
      }
      // A cluster still awaiting discovery is left out: the proxy keeps whatever it holds (it may
      // have routed to it through an earlier replica), and an empty assignment would wipe that.
    }
    return new IndexedSortedMap(view);
  }

  /** @param names null for a wildcard type (all served names) */
  private static SortedMap<String, XdsResource> gated(XdsType type, GroupSnapshot snapshot, NameSet names, Held held) {
    SortedMap<String, XdsResource> served = snapshot.resources(type);
    boolean all = names == null || names.sameAs(served);
    if (warmForAll(snapshot, held)) {
      return all ? served : subset(served, names);
    }
    SortedMap<String, XdsResource> view = null;
    for (String name : all ? served.keySet() : names.names()) {
      XdsResource candidate = served.get(name);
      if (candidate == null) {
        continue;
      }
      if (ready(candidate, held, snapshot.forGrpcClients())) {
        if (view != null) {
          view.put(name, candidate);
        }
        continue;
      }
      if (view == null) {
        view = new TreeMap<>();
        for (String earlier : all ? served.keySet() : names.names()) {
          if (earlier.equals(name)) {
            break;
          }
          XdsResource kept = served.get(earlier);
          if (kept != null) {
            view.put(earlier, kept);
          }
        }
      }
      XdsResource previous = held.of(type).get(name);
      if (previous != null) {
        view.put(name, previous);
      }
    }
    if (view != null) {
      return new IndexedSortedMap(view);
    }
    return all ? served : subset(served, names);
  }

  /**
   * A proxy holding exactly the served clusters and endpoints (the same map instances) has every
   * cluster a served resource can name warm: served snapshots are consistent, so no per-cluster
   * check is needed. The common case, and O(1).
   */
  private static boolean warmForAll(GroupSnapshot served, Held held) {
    return held.of(XdsType.CLUSTER) == served.resources(XdsType.CLUSTER) && held.of(XdsType.ENDPOINT) == served.resources(XdsType.ENDPOINT);
  }

  /**
   * Whether {@code resource} may go out. To an Envoy: once every cluster it names is warm. To a
   * gRPC client (a group of {@link GroupSnapshot#forGrpcClients()}): once the client holds every
   * cluster it names, endpoints or not, and not at all before it holds any cluster. Such a client
   * asks for a route's endpoints only once it has the route, and for clusters only once it has a
   * route, so waiting for more would never end; it holds a new route back itself until the
   * endpoints arrive (grpc-java's XdsDependencyManager, gRFC A74). Waiting for the clusters still
   * matters: a route that arrives first names a cluster the client may have just been told does
   * not exist (it dropped out of the previous state of the world), and the client would fail calls
   * on it until the next cluster answer (seen in ProxylessGrpcIT, routes changed back and forth).
   */
  static boolean ready(XdsResource resource, Held held, boolean grpcClient) {
    if (grpcClient) {
      SortedMap<String, XdsResource> clusters = held.of(XdsType.CLUSTER);
      return clusters.isEmpty() || clusters.keySet().containsAll(resource.clusters());
    }
    for (String cluster : resource.clusters()) {
      if (!held.warm(cluster)) {
        return false;
      }
    }
    return true;
  }

  private static SortedMap<String, XdsResource> subset(SortedMap<String, XdsResource> served, NameSet names) {
    if (names.sameAs(served)) {
      return served;
    }
    SortedMap<String, XdsResource> view = new TreeMap<>();
    for (String name : names.names()) {
      XdsResource resource = served.get(name);
      if (resource != null) {
        view.put(name, resource);
      }
    }
    return new IndexedSortedMap(view);
  }

  static XdsResource emptyAssignment(String name) {
    return new XdsResource(name, ClusterLoadAssignment.newBuilder().setClusterName(name).build(), EMPTY_ASSIGNMENT_VERSION, Set.of(), false);
  }
}
