package dev.embassy.ratelimit.cluster;

import dev.embassy.discovery.HealthCheck;
import dev.embassy.discovery.Registration;
import dev.embassy.discovery.ServiceInstance;
import dev.embassy.discovery.ServiceQuery;
import dev.embassy.discovery.WatchHandle;
import dev.embassy.discovery.consul.ConsulConnection;
import dev.embassy.discovery.consul.ConsulDiscoveryConfig;
import dev.embassy.discovery.consul.ConsulServiceRegistry;
import dev.embassy.discovery.consul.ConsulServiceWatcher;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Membership from Consul (the discovery module): this node registers itself with the local agent
 * under the service name, with a gRPC health check on its own port (grpc.health.v1, which says
 * SERVING only once the node is ready, and NOT_SERVING as soon as it leaves), and watches the
 * service's passing instances. Each instance's Consul id is the node's id, so every node hashes
 * ownership over the same names. Consul's check interval (seconds) is slower than the peers' own
 * probes; {@link PeerProber} still decides who is alive among the candidates, so a crashed node
 * leaves the ring as fast with Consul as with a static list.
 *
 * <p>While Consul is unreachable the last known instances stay the candidates (the discovery
 * module never reports an empty list because of an error) and {@link #healthy()} says so.
 */
public final class ConsulMembership implements Membership {
  private static final Logger LOG = LoggerFactory.getLogger(ConsulMembership.class);
  /** Consul removes a node whose check stayed critical this long (its minimum is one minute). */
  private static final Duration DEREGISTER_CRITICAL_AFTER = Duration.ofMinutes(1);

  private final Member self;
  private final ConsulConnection connection;
  private final ConsulServiceRegistry registry;
  private final ConsulServiceWatcher watcher;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final WatchHandle handle;
  private volatile Set<Member> candidates;

  private ConsulMembership(Member self, ConsulDiscoveryConfig config, String service, Duration checkInterval, MeterRegistry meters) {
    this.self = self;
    this.candidates = Set.of(self);
    this.connection = new ConsulConnection(config);
    this.registry = new ConsulServiceRegistry(connection);
    this.watcher = ConsulServiceWatcher.on(connection, config, meters);
    registry.register(new Registration(self.id(), service, self.host(), self.port(), List.of("embassy-ratelimit"),
        Map.of("embassy-node-id", self.id()),
        Optional.of(new HealthCheck.Grpc(self.host() + ":" + self.port(), false, checkInterval,
            checkInterval.compareTo(Duration.ofSeconds(1)) < 0 ? checkInterval : Duration.ofSeconds(1),
            Optional.of(DEREGISTER_CRITICAL_AFTER)))));
    this.handle = watcher.watch(ServiceQuery.of(service), (query, instances) -> changed(instances));
  }

  /** Registers this node with the Consul agent and starts watching the service. */
  public static ConsulMembership start(Member self, ConsulDiscoveryConfig config, String service, Duration checkInterval,
      MeterRegistry meters) {
    return new ConsulMembership(self, config, service, checkInterval, meters);
  }

  private void changed(List<ServiceInstance> instances) {
    Set<Member> next = new HashSet<>();
    next.add(self);
    for (ServiceInstance instance : instances) {
      String id = instance.serviceMeta().getOrDefault("embassy-node-id", instance.id());
      if (id.equals(self.id())) {
        continue;
      }
      try {
        next.add(new Member(id, instance.address(), instance.port()));
      } catch (IllegalArgumentException e) {
        LOG.warn("ignoring Consul instance {}: {}", instance.id(), e.getMessage());
      }
    }
    Set<Member> frozen = Set.copyOf(next);
    if (!frozen.equals(candidates)) {
      candidates = frozen;
      LOG.info("Consul lists {} ratelimit nodes: {}", frozen.size(), frozen.stream().map(Member::id).sorted().toList());
      listeners.forEach(Runnable::run);
    }
  }

  @Override
  public Set<Member> candidates() {
    return candidates;
  }

  @Override
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  @Override
  public boolean healthy() {
    return !watcher.health().degraded();
  }

  @Override
  public String describe() {
    return "consul";
  }

  @Override
  public void close() {
    handle.close();
    try {
      registry.deregister(self.id());
    } catch (RuntimeException e) {
      // Consul removes the instance by itself once its check stays critical.
      LOG.warn("could not deregister {} from Consul: {}", self.id(), e.getMessage());
    }
    watcher.close();
    connection.close();
  }
}
