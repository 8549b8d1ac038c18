package dev.embassy.config.validate;

import dev.embassy.config.model.Cluster;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;
import java.util.List;
import java.util.Optional;

/**
 * Consul Connect opt-ins: a sidecar's {@code connect.service} (the identity it takes; an edge
 * gateway's top-level {@code connect} is an identity for outbound calls only) and a
 * cluster's {@code connect.service} (the identity it verifies). Shape checks run per resource;
 * the cross-resource rule is that only a gateway with an identity may call a Connect cluster,
 * because the call presents that identity's leaf certificate. Whether Consul knows the service is
 * not checked here: a write must not depend on Consul being up (Consul signs leaves for any name
 * anyway), so the control plane reports unknown services in its health instead.
 */
final class ConnectRules {
  /** Consul service names as SPIFFE path segments carry them; Consul itself allows the same set. */
  private static final java.util.regex.Pattern SERVICE = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  private ConnectRules() {}

  static void sidecar(Gateway.Sidecar sidecar, Violations v) {
    sidecar.connect().ifPresent(connect -> service(v.at("connect"), connect.service()));
  }

  /** An edge gateway's identity; a sidecar's lives in {@code sidecar.connect}, beside what it secures. */
  static void gateway(Gateway gateway, Violations v) {
    gateway.connect().ifPresent(connect -> {
      if (gateway.sidecar().isPresent()) {
        v.add("connect", "a sidecar gateway takes its identity in sidecar.connect");
      } else {
        service(v.at("connect"), connect.service());
      }
    });
  }

  static void cluster(Cluster cluster, Violations v) {
    cluster.connect().ifPresent(connect -> {
      service(v.at("connect"), connect.service());
      if (cluster.tls().isPresent()) {
        v.add("tls", "a Connect cluster's TLS comes from Consul's CA (connect); remove tls");
      }
    });
  }

  private static void service(Violations v, String service) {
    if (Checks.required(v, "service", service) && !SERVICE.matcher(service).matches()) {
      v.add("service", "must be a Consul service name (letters, digits, '-', '_', '.'; at most 128)");
    }
  }

  /** The cross-resource rules, for a gateway or a route being written. */
  static void uses(ConfigResource resource, ConfigView view, Violations v) {
    if (resource instanceof Gateway gateway) {
      Optional<String> identity = identity(gateway);
      gateway.sidecar().flatMap(Gateway.Sidecar::outbound).ifPresent(outbound -> {
        for (int i = 0; i < outbound.clusters().size(); i++) {
          String name = outbound.clusters().get(i);
          if (!hasIdentity(gateway) && name != null && connectCluster(name, view)) {
            v.at("sidecar", "outbound").at("clusters").add(Integer.toString(i),
                "cluster " + name + " is a Connect cluster; calling it needs sidecar.connect (the identity the call presents)");
          }
        }
      });
      if (identity.isPresent() && gateway.nodeGroup() != null) {
        for (Gateway peer : view.nodeGroupPeers(gateway.nodeGroup(), gateway.name())) {
          identity(peer).filter(other -> !other.equals(identity.get())).ifPresent(other ->
              (gateway.sidecar().isPresent() ? v.at("sidecar", "connect") : v.at("connect")).add("service", "gateway " + peer.name() + " of node group " + gateway.nodeGroup()
                  + " takes Connect identity " + other + "; the Envoys of one node group have one identity"));
        }
      }
    }
    if (resource instanceof Route route && route.gateway() != null) {
      Optional<Gateway> gateway = view.gateway(route.gateway());
      if (gateway.isEmpty() || hasIdentity(gateway.get())) {
        return;
      }
      for (int i = 0; i < route.rules().size(); i++) {
        Route.Rule rule = route.rules().get(i);
        if (rule == null) {
          continue;
        }
        for (int j = 0; j < rule.backendRefs().size(); j++) {
          Route.BackendRef ref = rule.backendRefs().get(j);
          if (ref != null && ref.cluster() != null && connectCluster(ref.cluster(), view)) {
            v.at("rules", i).at("backendRefs", j).add("cluster", "cluster " + ref.cluster()
                + " is a Connect cluster; only a gateway with a Connect identity (sidecar.connect, or connect on an edge gateway) may send to it");
          }
        }
      }
    }
  }

  /** Whether the gateway opted in; a missing service name is reported at its own pointer. */
  private static boolean hasIdentity(Gateway gateway) {
    return gateway.identity().isPresent();
  }

  private static Optional<String> identity(Gateway gateway) {
    return gateway.identity().map(Gateway.Connect::service);
  }

  private static boolean connectCluster(String name, ConfigView view) {
    return view.find(ResourceKind.CLUSTER, name).filter(c -> c instanceof Cluster cluster && cluster.connect().isPresent()).isPresent();
  }

  /** Clusters become Connect clusters only where nothing without an identity sends to them. */
  static void clusterUsers(Cluster cluster, ConfigView view, Violations v) {
    if (cluster.connect().isEmpty() || cluster.name() == null) {
      return;
    }
    List<Route> routes = view.routesReferring(ResourceKind.CLUSTER, cluster.name());
    for (Route route : routes) {
      view.gateway(route.gateway()).filter(g -> !hasIdentity(g)).ifPresent(g ->
          v.add("connect", "route " + route.name() + " of gateway " + g.name() + ", which has no Connect identity, sends to this cluster"));
    }
  }
}
