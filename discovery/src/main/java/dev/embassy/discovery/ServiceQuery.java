package dev.embassy.discovery;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to watch: a service name plus the filters a cluster definition carries. Equal queries share
 * one blocking query.
 *
 * @param tags every one of them must be on an instance (Consul's repeated {@code tag=})
 * @param datacenter another datacenter than the agent's ({@code dc=})
 * @param nodeMeta every pair must be in the node's meta ({@code node-meta=k:v})
 * @param includeWarning also report instances whose worst check is warning, as {@link InstanceHealth#WARNING}
 * @param connect the service's Connect-capable endpoints instead ({@code /v1/health/connect}): its
 *     sidecars' public addresses, or the service's own for a natively integrated one
 */
public record ServiceQuery(
    String service, List<String> tags, Optional<String> datacenter, Map<String, String> nodeMeta, boolean includeWarning,
    boolean connect) {

  public ServiceQuery {
    Objects.requireNonNull(service, "service");
    if (service.isBlank()) {
      throw new IllegalArgumentException("service name is blank");
    }
    // Sorted and de-duplicated: the order of tags does not change what matches, so it must not
    // make two equal cluster definitions open two blocking queries.
    tags = tags.stream().distinct().sorted().toList();
    datacenter = datacenter.filter(dc -> !dc.isBlank());
    nodeMeta = Map.copyOf(nodeMeta);
  }

  public ServiceQuery(String service, List<String> tags, Optional<String> datacenter, Map<String, String> nodeMeta, boolean includeWarning) {
    this(service, tags, datacenter, nodeMeta, includeWarning, false);
  }

  /** Passing instances of {@code service} in the agent's datacenter, no filters. */
  public static ServiceQuery of(String service) {
    return new ServiceQuery(service, List.of(), Optional.empty(), Map.of(), false);
  }

  /** Whether an instance in this health state belongs in this query's answer. */
  public boolean admits(InstanceHealth health) {
    return health == InstanceHealth.PASSING || includeWarning;
  }
}
