package dev.embassy.discovery.consul;

import dev.embassy.discovery.ConnectIntention;
import dev.embassy.discovery.ConnectLeaf;
import dev.embassy.discovery.ConnectRoots;
import java.util.List;

/**
 * The blocking reads of Consul Connect's CA and intentions; {@link HttpConsulConnectApi} is the
 * implementation (consul-api 1.4.5 predates Connect). Each blocks up to {@code waitSeconds} when
 * {@code index} > 0 and nothing changed, and throws {@link dev.embassy.discovery.DiscoveryException}
 * when Consul cannot be reached or refuses.
 */
interface ConsulConnectApi {
  /** {@code GET /v1/agent/connect/ca/roots}. */
  ConsulAnswer<ConnectRoots> roots(long index, long waitSeconds);

  /** {@code GET /v1/agent/connect/ca/leaf/<service>}: cached by the agent, renewed before it expires. */
  ConsulAnswer<ConnectLeaf> leaf(String service, long index, long waitSeconds);

  /** {@code GET /v1/connect/intentions}: every intention of the datacenter. */
  ConsulAnswer<List<ConnectIntention>> intentions(long index, long waitSeconds);

  /** {@code GET /v1/catalog/services}: the names of the services registered in the datacenter. */
  ConsulAnswer<java.util.Set<String>> services(long index, long waitSeconds);
}
