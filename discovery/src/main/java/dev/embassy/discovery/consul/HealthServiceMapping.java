package dev.embassy.discovery.consul;

import com.ecwid.consul.v1.QueryParams;
import com.ecwid.consul.v1.health.HealthServicesRequest;
import com.ecwid.consul.v1.health.model.Check;
import com.ecwid.consul.v1.health.model.HealthService;
import dev.embassy.discovery.InstanceHealth;
import dev.embassy.discovery.ServiceInstance;
import dev.embassy.discovery.ServiceQuery;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Between our query/instance records and consul-api's request/model classes. */
final class HealthServiceMapping {
  /** The order of every delivered list, so equal registry states compare (and translate) equal. */
  static final Comparator<ServiceInstance> ORDER =
      Comparator.comparing(ServiceInstance::node).thenComparing(ServiceInstance::id);

  private HealthServiceMapping() {}

  /**
   * The health request for a query: {@code passing} unless warning instances are wanted (Consul
   * has no "passing or warning" filter, so then every instance comes back and critical ones are
   * dropped here), each tag as its own {@code tag=} (all must match), {@code node-meta=k:v},
   * {@code dc=}. The ACL token is not put here: consul-api would send it as {@code ?token=} in
   * the URL (and log it at FINEST); {@link ConsulConnection} sends it as X-Consul-Token instead.
   */
  static HealthServicesRequest request(ServiceQuery query, long index, long waitSeconds) {
    HealthServicesRequest.Builder builder =
        HealthServicesRequest.newBuilder()
            .setPassing(!query.includeWarning())
            .setQueryParams(new QueryParams(query.datacenter().orElse(null), waitSeconds, index));
    if (!query.tags().isEmpty()) {
      builder.setTags(query.tags().toArray(String[]::new));
    }
    if (!query.nodeMeta().isEmpty()) {
      builder.setNodeMeta(query.nodeMeta());
    }
    return builder.build();
  }

  /** The query's instances from a health answer, critical ones (and unwanted warning ones) left out, in {@link #ORDER}. */
  static List<ServiceInstance> instances(ServiceQuery query, List<HealthService> entries) {
    return entries.stream()
        .map(entry -> instance(query, entry))
        .flatMap(Optional::stream)
        .sorted(ORDER)
        .toList();
  }

  /** One entry, or empty when it is critical, lacks an id, or is warning and not wanted. */
  static Optional<ServiceInstance> instance(ServiceQuery query, HealthService entry) {
    HealthService.Service service = entry.getService();
    HealthService.Node node = entry.getNode();
    if (service == null || node == null || service.getId() == null) {
      return Optional.empty();
    }
    Optional<InstanceHealth> health = aggregate(entry.getChecks() == null ? List.of() : entry.getChecks());
    if (health.isEmpty() || !query.admits(health.get())) {
      return Optional.empty();
    }
    // Consul's convention: an instance registered without an address is reached at its node's.
    String address = blankToEmpty(service.getAddress()).isEmpty() ? blankToEmpty(node.getAddress()) : service.getAddress();
    return Optional.of(
        new ServiceInstance(
            service.getId(),
            Objects.requireNonNullElse(service.getService(), query.service()),
            blankToEmpty(node.getNode()),
            address,
            service.getPort() == null ? 0 : service.getPort(),
            withoutNulls(service.getTags()),
            withoutNullValues(service.getMeta()),
            withoutNullValues(node.getMeta()),
            blankToEmpty(node.getDatacenter()).isEmpty() ? query.datacenter().orElse("") : node.getDatacenter(),
            health.get()));
  }

  /**
   * The instance's state as Consul counts it: the worst of its node's and its own checks.
   * Critical, and anything Consul may add that we do not know, count as down (empty).
   */
  static Optional<InstanceHealth> aggregate(List<Check> checks) {
    InstanceHealth worst = InstanceHealth.PASSING;
    for (Check check : checks) {
      Check.CheckStatus status = check.getStatus();
      if (status == Check.CheckStatus.WARNING) {
        worst = InstanceHealth.WARNING;
      } else if (status != Check.CheckStatus.PASSING) {
        return Optional.empty();
      }
    }
    return Optional.of(worst);
  }

  private static String blankToEmpty(String text) {
    return text == null || text.isBlank() ? "" : text;
  }

  private static List<String> withoutNulls(List<String> list) {
    return list == null ? List.of() : list.stream().filter(Objects::nonNull).toList();
  }

  private static Map<String, String> withoutNullValues(Map<String, String> map) {
    if (map == null) {
      return Map.of();
    }
    return map.entrySet().stream()
        .filter(e -> e.getKey() != null && e.getValue() != null)
        .collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
  }
}
