package dev.embassy.config.validate;

import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.model.Reference;
import dev.embassy.config.model.Route;
import dev.embassy.config.model.RouteAttachment;
import java.util.List;
import java.util.Map;

/**
 * Rules that need more than one resource: references must resolve, a route's listener must exist,
 * no two routes may claim the same listener, hostname and match (see {@link RouteClaims}), no two
 * gateways of one node group may take the same port, no two rate-limit policies may share a
 * domain, only gateways with a Connect identity may call Connect clusters ({@link ConnectRules}),
 * and what is served to proxyless gRPC clients is what they can take ({@link ProxylessRules}).
 * Checked against the config as it will be after the write.
 */
public final class ConfigValidator {
  private ConfigValidator() {}

  /** Checks {@code resource} against {@code view}; pointers are relative to the resource. */
  public static List<FieldError> validate(ConfigResource resource, ConfigView view) {
    Violations v = new Violations();
    for (Reference ref : resource.references()) {
      if (!view.exists(ref.kind(), ref.name())) {
        v.addAtPointer(ref.pointer(), "refers to " + ref.kind().pathSegment() + "/" + ref.name() + ", which does not exist");
      }
    }
    if (resource instanceof Route route && route.gateway() != null) {
      view.gateway(route.gateway()).ifPresent(gateway -> checkRoute(route, gateway, view, v));
    }
    if (resource instanceof Route route) {
      GrpcTranscodingUse.ofRoute(route, view, v);
    }
    if (resource instanceof dev.embassy.config.model.ProtoDescriptorSet set) {
      GrpcTranscodingUse.ofDescriptorSet(set, view, v);
    }
    if (resource instanceof Gateway gateway && gateway.nodeGroup() != null) {
      List<Gateway> peers = view.nodeGroupPeers(gateway.nodeGroup(), gateway.name());
      GatewayRules.nodeGroupPorts(gateway, peers, v);
      ProxylessRules.gatewayInConfig(gateway, peers, view, v);
    }
    if (resource instanceof dev.embassy.config.model.Cluster cluster && cluster.name() != null) {
      ProxylessRules.clusterInConfig(cluster, view, v);
    }
    ConnectRules.uses(resource, view, v);
    if (resource instanceof dev.embassy.config.model.Cluster cluster) {
      ConnectRules.clusterUsers(cluster, view, v);
    }
    if (resource instanceof RateLimitPolicy policy && policy.domain() != null) {
      view.rateLimitDomainOwner(policy.domain(), policy.name())
          .ifPresent(other -> v.add("domain", "rate-limit policy " + other + " already uses domain " + policy.domain()));
    }
    return v.errors();
  }

  private static void checkRoute(Route route, Gateway gateway, ConfigView view, Violations v) {
    if (route.listener().isPresent()
        && RouteAttachment.listeners(gateway).stream().noneMatch(l -> l.name().equals(route.listener().get()))) {
      v.add("listener", "gateway " + gateway.name() + " has no listener " + route.listener().get());
      return;
    }
    ProxylessRules.route(route, gateway, view, v);
    java.util.Set<String> keys = RouteClaims.keys(route, gateway);
    Map<String, String> conflicts = view.conflictingClaims(gateway.name(), keys, route.name());
    for (String key : keys) {
      String other = conflicts.get(key);
      if (other != null) {
        v.add("rules", "route " + other + " already serves this listener, hostname and match (" + key + ")");
        return;
      }
    }
  }
}
