package dev.embassy.controlplane.ir;

import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which node groups a new revision can change, so the others are neither rebuilt nor translated
 * nor re-published. The store hands unchanged resources back as the same objects, so "changed" is
 * an identity test. Pure.
 */
public final class AffectedGroups {
  private AffectedGroups() {}

  /** The node groups whose IR may differ between the two configs; empty when every group must be rebuilt. */
  public static Optional<Set<String>> between(ConfigDocument before, ConfigDocument after) {
    if (before == null) {
      return Optional.empty();
    }
    Map<String, Gateway> gatewaysBefore = gateways(before);
    Map<String, Gateway> gatewaysAfter = gateways(after);
    Set<String> groups = new HashSet<>();
    // Names of changed resources that routes or gateways refer to.
    Set<String> referenced = new HashSet<>();
    for (ResourceKind kind : ResourceKind.values()) {
      Map<String, ConfigResource> old = byName(before.resources(kind));
      Map<String, ConfigResource> now = byName(after.resources(kind));
      Set<String> names = new HashSet<>(old.keySet());
      names.addAll(now.keySet());
      for (String name : names) {
        ConfigResource was = old.get(name);
        ConfigResource is = now.get(name);
        if (was == is) {
          continue;
        }
        switch (kind) {
          case GATEWAY -> {
            groupOf(was).ifPresent(groups::add);
            groupOf(is).ifPresent(groups::add);
          }
          case ROUTE -> {
            groupOfRoute((Route) was, gatewaysBefore).ifPresent(groups::add);
            groupOfRoute((Route) is, gatewaysAfter).ifPresent(groups::add);
          }
          default -> referenced.add(kind + "/" + name);
        }
      }
    }
    if (!referenced.isEmpty()) {
      addReferringGroups(before, gatewaysBefore, referenced, groups);
      addReferringGroups(after, gatewaysAfter, referenced, groups);
    }
    return Optional.of(groups);
  }

  private static void addReferringGroups(ConfigDocument config, Map<String, Gateway> gateways, Set<String> referenced, Set<String> groups) {
    for (Gateway gateway : config.gateways()) {
      if (refersTo(gateway, referenced)) {
        groups.add(gateway.nodeGroup());
      }
    }
    for (Route route : config.routes()) {
      if (refersTo(route, referenced)) {
        groupOfRoute(route, gateways).ifPresent(groups::add);
      }
    }
    // A cluster's CA certificate reaches a group through the cluster, one step further.
    for (ConfigResource cluster : config.clusters()) {
      if (refersTo(cluster, referenced)) {
        Set<String> viaCluster = Set.of(ResourceKind.CLUSTER + "/" + cluster.name());
        for (Route route : config.routes()) {
          if (refersTo(route, viaCluster)) {
            groupOfRoute(route, gateways).ifPresent(groups::add);
          }
        }
      }
    }
  }

  private static boolean refersTo(ConfigResource resource, Set<String> referenced) {
    return resource.references().stream().anyMatch(r -> referenced.contains(r.kind() + "/" + r.name()));
  }

  private static Optional<String> groupOf(ConfigResource gateway) {
    return gateway == null ? Optional.empty() : Optional.of(((Gateway) gateway).nodeGroup());
  }

  private static Optional<String> groupOfRoute(Route route, Map<String, Gateway> gateways) {
    if (route == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(gateways.get(route.gateway())).map(Gateway::nodeGroup);
  }

  private static Map<String, ConfigResource> byName(List<? extends ConfigResource> resources) {
    Map<String, ConfigResource> byName = new HashMap<>();
    resources.forEach(r -> byName.put(r.name(), r));
    return byName;
  }

  private static Map<String, Gateway> gateways(ConfigDocument config) {
    Map<String, Gateway> byName = new HashMap<>();
    config.gateways().forEach(g -> byName.put(g.name(), g));
    return byName;
  }
}
