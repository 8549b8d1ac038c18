package dev.embassy.discovery.consul;

import dev.embassy.discovery.DiscoveryException;
import dev.embassy.discovery.ServiceInstance;
import dev.embassy.discovery.ServiceQuery;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The two blocking reads the watches need, in our own terms; {@link EcwidConsulHealthApi} is the
 * consul-api implementation. Both block up to {@code waitSeconds} (plus Consul's jitter) when
 * {@code index} > 0 and nothing changed, and throw {@link DiscoveryException} when Consul cannot
 * be reached or refuses.
 */
interface ConsulHealthApi {
  /** {@code GET /v1/health/service/<name>}: the query's instances, critical ones left out. */
  ConsulAnswer<List<ServiceInstance>> serviceInstances(ServiceQuery query, long index, long waitSeconds);

  /** {@code GET /v1/catalog/services}: the names of the services registered in the datacenter. */
  ConsulAnswer<Set<String>> catalogServices(Optional<String> datacenter, long index, long waitSeconds);
}
