package dev.embassy.config.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * A whole configuration as one document, the unit of declarative apply and of dump. Lists are
 * kept sorted by name so a dump is byte-stable.
 */
public record ConfigDocument(
    List<Certificate> certificates,
    List<ProtoDescriptorSet> protoDescriptorSets,
    List<Cluster> clusters,
    List<AuthPolicy> authPolicies,
    List<RateLimitPolicy> rateLimitPolicies,
    List<Gateway> gateways,
    List<Route> routes) {
  public ConfigDocument {
    certificates = Absent.list(certificates);
    protoDescriptorSets = Absent.list(protoDescriptorSets);
    clusters = Absent.list(clusters);
    authPolicies = Absent.list(authPolicies);
    rateLimitPolicies = Absent.list(rateLimitPolicies);
    gateways = Absent.list(gateways);
    routes = Absent.list(routes);
  }

  public List<? extends ConfigResource> resources(ResourceKind kind) {
    return switch (kind) {
      case CERTIFICATE -> certificates;
      case PROTO_DESCRIPTOR_SET -> protoDescriptorSets;
      case CLUSTER -> clusters;
      case AUTH_POLICY -> authPolicies;
      case RATELIMIT_POLICY -> rateLimitPolicies;
      case GATEWAY -> gateways;
      case ROUTE -> routes;
    };
  }

  /** Every resource, in dependency order (see {@link ResourceKind}). */
  public List<ConfigResource> all() {
    List<ConfigResource> all = new ArrayList<>();
    for (ResourceKind kind : ResourceKind.values()) {
      all.addAll(resources(kind));
    }
    return all;
  }

  public static ConfigDocument of(Collection<? extends ConfigResource> resources) {
    List<ConfigResource> sorted = new ArrayList<>(resources);
    sorted.sort(Comparator.comparing(ConfigResource::name));
    return new ConfigDocument(
        only(sorted, Certificate.class), only(sorted, ProtoDescriptorSet.class), only(sorted, Cluster.class), only(sorted, AuthPolicy.class),
        only(sorted, RateLimitPolicy.class), only(sorted, Gateway.class), only(sorted, Route.class));
  }

  private static <T extends ConfigResource> List<T> only(List<ConfigResource> resources, Class<T> type) {
    return resources.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
