package dev.embassy.discovery.consul;

import dev.embassy.discovery.CatalogListener;
import dev.embassy.discovery.InstancesListener;
import dev.embassy.discovery.ServiceInstance;
import dev.embassy.discovery.ServiceQuery;
import dev.embassy.discovery.ServiceWatcher;
import dev.embassy.discovery.WatchHandle;
import dev.embassy.discovery.WatcherHealth;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link ServiceWatcher} on Consul: one {@link BlockingWatch} per distinct {@link ServiceQuery}
 * (shared by every listener of an equal query, stopped with its last handle), plus one catalog
 * watch for the watcher's lifetime. Listeners run on virtual threads, one call at a time each.
 */
public final class ConsulServiceWatcher implements ServiceWatcher {
  private final ConsulHealthApi api;
  private final WatchPace pace;
  private final Clock clock;
  private final DiscoveryMetrics metrics;
  private final Optional<AutoCloseable> owned;
  private final ExecutorService listenerThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("consul-listener").factory());
  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by {@link #lock}. */
  private final Map<ServiceQuery, BlockingWatch<List<ServiceInstance>>> watches = new HashMap<>();
  private final BlockingWatch<Set<String>> catalog;
  private volatile boolean closed;

  /** A watcher with its own connection to Consul, closed with it. */
  public static ConsulServiceWatcher connect(ConsulDiscoveryConfig config, MeterRegistry registry) {
    ConsulConnection connection = new ConsulConnection(config);
    return new ConsulServiceWatcher(
        new EcwidConsulHealthApi(connection.blockingClient(), connection.blockingRaw()), WatchPace.of(config), registry, Clock.systemUTC(),
        Optional.of(connection));
  }

  /** A watcher on a shared connection (e.g. with a {@link ConsulServiceRegistry}); the caller closes the connection. */
  public static ConsulServiceWatcher on(ConsulConnection connection, ConsulDiscoveryConfig config, MeterRegistry registry) {
    return new ConsulServiceWatcher(
        new EcwidConsulHealthApi(connection.blockingClient(), connection.blockingRaw()), WatchPace.of(config), registry, Clock.systemUTC(),
        Optional.empty());
  }

  ConsulServiceWatcher(ConsulHealthApi api, WatchPace pace, MeterRegistry registry, Clock clock, Optional<AutoCloseable> owned) {
    this.api = api;
    this.pace = pace;
    this.clock = clock;
    this.owned = owned;
    this.metrics = new DiscoveryMetrics(registry, this::watchCount, () -> health().degraded(), () -> knownServices().size());
    this.catalog =
        new BlockingWatch<Set<String>>(
                "catalog", Optional.empty(), (index, wait) -> api.catalogServices(Optional.empty(), index, wait),
                pace, clock, metrics, Set::size)
            .start();
  }

  @Override
  public WatchHandle watch(ServiceQuery query, InstancesListener listener) {
    lock.lock();
    try {
      requireOpen();
      BlockingWatch<List<ServiceInstance>> watch = watches.get(query);
      if (watch == null) {
        watch =
            new BlockingWatch<List<ServiceInstance>>(
                describe(query), Optional.of(query), (index, wait) -> api.serviceInstances(query, index, wait),
                pace, clock, metrics, List::size);
        watches.put(query, watch);
        // Meters first: the loop's first error must have a counter to land in.
        metrics.serviceWatched(query.service(), this::oldestSyncAgeSeconds);
        watch.start();
      }
      BlockingWatch<List<ServiceInstance>> joined = watch;
      CoalescingDelivery<List<ServiceInstance>> delivery =
          joined.subscribe(instances -> listener.instancesChanged(query, instances), listenerThreads);
      return handle(() -> release(query, joined, delivery));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Set<String> knownServices() {
    return catalog.current().orElse(Set.of());
  }

  @Override
  public WatchHandle watchCatalog(CatalogListener listener) {
    requireOpen();
    CoalescingDelivery<Set<String>> delivery = catalog.subscribe(listener::servicesChanged, listenerThreads);
    return handle(() -> catalog.unsubscribe(delivery));
  }

  @Override
  public WatcherHealth health() {
    List<WatcherHealth.WatchStatus> statuses = new ArrayList<>();
    lock.lock();
    try {
      watches.values().forEach(w -> statuses.add(w.status()));
    } finally {
      lock.unlock();
    }
    WatcherHealth.WatchStatus catalogStatus = catalog.status();
    boolean degraded = catalogStatus.failing() || statuses.stream().anyMatch(WatcherHealth.WatchStatus::failing);
    return new WatcherHealth(degraded, catalogStatus, statuses);
  }

  /** Requests to Consul in flight right now (each watch holds one while it blocks). */
  public int blockingQueries() {
    return metrics.blockingQueries();
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      watches.forEach((query, watch) -> {
        watch.stop();
        metrics.serviceUnwatched(query.service());
      });
      watches.clear();
      catalog.stop();
      metrics.close();
    } finally {
      lock.unlock();
    }
    listenerThreads.shutdown();
    owned.ifPresent(resource -> {
      try {
        resource.close();
      } catch (Exception e) {
        throw new IllegalStateException("could not close the Consul connection", e);
      }
    });
  }

  private void release(ServiceQuery query, BlockingWatch<List<ServiceInstance>> watch, CoalescingDelivery<List<ServiceInstance>> delivery) {
    lock.lock();
    try {
      watch.unsubscribe(delivery);
      if (!watch.hasSubscribers() && watches.get(query) == watch) {
        watches.remove(query);
        watch.stop();
        metrics.serviceUnwatched(query.service());
      }
    } finally {
      lock.unlock();
    }
  }

  private int watchCount() {
    lock.lock();
    try {
      return watches.size();
    } finally {
      lock.unlock();
    }
  }

  private double oldestSyncAgeSeconds(String service) {
    lock.lock();
    try {
      return watches.entrySet().stream()
          .filter(e -> e.getKey().service().equals(service))
          .mapToDouble(e -> e.getValue().syncAge().toNanos() / 1e9)
          .max()
          .orElse(0);
    } finally {
      lock.unlock();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the service watcher is closed");
    }
  }

  private static String describe(ServiceQuery query) {
    StringBuilder text = new StringBuilder("service ").append(query.service());
    query.datacenter().ifPresent(dc -> text.append(" dc=").append(dc));
    if (!query.tags().isEmpty()) {
      text.append(" tags=").append(String.join(",", query.tags()));
    }
    if (!query.nodeMeta().isEmpty()) {
      text.append(" node-meta=").append(query.nodeMeta());
    }
    if (query.includeWarning()) {
      text.append(" +warning");
    }
    if (query.connect()) {
      text.append(" connect");
    }
    return text.toString();
  }

  private static WatchHandle handle(Runnable release) {
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        release.run();
      }
    };
  }
}
