package dev.embassy.controlplane.endpoints;

import dev.embassy.config.model.Cluster;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.controlplane.ir.UpstreamEndpoint;
import dev.embassy.discovery.InstanceHealth;
import dev.embassy.discovery.InstanceMetadata;
import dev.embassy.discovery.ServiceInstance;
import dev.embassy.discovery.ServiceQuery;
import dev.embassy.discovery.ServiceWatcher;
import dev.embassy.discovery.WatchHandle;
import dev.embassy.discovery.WatcherHealth;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Endpoints of Consul-discovered clusters: one blocking-query watch per distinct query the clusters
 * make (service, tags, datacenter, node meta), opened when a cluster starts referencing it and
 * closed when none does any more. Each change of a query's instances is reported, so the control
 * plane sends an EDS update and nothing else.
 *
 * <p>The watcher never reports an empty list because Consul failed (see {@code discovery}); so
 * while Consul is unreachable the last known endpoints stay, and a query Consul has never answered
 * has no endpoints at all rather than an empty list.
 */
public final class ConsulEndpoints implements EndpointSource, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsulEndpoints.class);

  private final Supplier<ServiceWatcher> connect;
  private final CoalescingNotifier<ServiceQuery> changed;
  private final Map<ServiceQuery, List<UpstreamEndpoint>> known = new ConcurrentHashMap<>();
  private final Map<ServiceQuery, WatchHandle> watches = new HashMap<>();
  private ServiceWatcher watcher;

  /**
   * @param connect opens the watcher, on first need: a config without Consul clusters never
   *     talks to Consul
   * @param changed called with the queries whose instances changed, one call at a time on a
   *     thread of its own; changes arriving during a call come together in the next one
   */
  public ConsulEndpoints(Supplier<ServiceWatcher> connect, Consumer<Set<ServiceQuery>> changed) {
    this.connect = connect;
    this.changed = new CoalescingNotifier<>("consul-endpoints-changed", changed);
  }

  /**
   * The query a Consul cluster makes. A Connect cluster asks for the service's Connect endpoints
   * (its sidecars), since only they speak Connect mTLS; the service's own port does not.
   */
  public static Optional<ServiceQuery> query(Cluster cluster) {
    return cluster.discovery().consul().map(c -> new ServiceQuery(c.service(), c.tags(), c.datacenter(), c.nodeMeta(), c.warningAsDegraded(),
        cluster.connect().isPresent()));
  }

  /** Watches exactly the queries {@code clusters} make: new ones start, unreferenced ones stop. */
  public synchronized void follow(Collection<Cluster> clusters) {
    Set<ServiceQuery> wanted = new HashSet<>();
    clusters.forEach(c -> query(c).ifPresent(wanted::add));
    for (var it = watches.entrySet().iterator(); it.hasNext();) {
      var watch = it.next();
      if (!wanted.contains(watch.getKey())) {
        watch.getValue().close();
        known.remove(watch.getKey());
        it.remove();
        LOG.info("stopped watching Consul service {}: no cluster uses it any more", watch.getKey().service());
      }
    }
    for (ServiceQuery query : wanted) {
      if (!watches.containsKey(query)) {
        if (watcher == null) {
          watcher = connect.get();
        }
        watches.put(query, watcher.watch(query, this::instancesChanged));
        LOG.info("watching Consul service {} (tags {}, datacenter {}, node meta {}{})", query.service(), query.tags(),
            query.datacenter().orElse("local"), query.nodeMeta(), query.connect() ? ", its Connect endpoints" : "");
      }
    }
  }

  @Override
  public Optional<List<UpstreamEndpoint>> endpoints(Cluster cluster) {
    return query(cluster).map(known::get);
  }

  /** The watches' state; empty before any Consul cluster exists. */
  public synchronized Optional<WatcherHealth> health() {
    return Optional.ofNullable(watcher).map(ServiceWatcher::health);
  }

  private void instancesChanged(ServiceQuery query, List<ServiceInstance> instances) {
    synchronized (this) {
      if (!watches.containsKey(query)) {
        return;
      }
      known.put(query, instances.stream().map(ConsulEndpoints::endpoint).toList());
    }
    changed.changed(query);
  }

  static UpstreamEndpoint endpoint(ServiceInstance instance) {
    return new UpstreamEndpoint(instance.address(), instance.port(), InstanceMetadata.weight(instance).orElse(1),
        InstanceMetadata.region(instance), InstanceMetadata.zone(instance), instance.health() == InstanceHealth.WARNING);
  }

  @Override
  public synchronized void close() {
    watches.values().forEach(WatchHandle::close);
    watches.clear();
    if (watcher != null) {
      watcher.close();
    }
    changed.close();
  }
}
