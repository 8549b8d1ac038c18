package dev.embassy.discovery.consul;

import dev.embassy.discovery.ConnectIntention;
import dev.embassy.discovery.ConnectLeaf;
import dev.embassy.discovery.ConnectRoots;
import dev.embassy.discovery.WatchHandle;
import dev.embassy.discovery.WatcherHealth;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Consul Connect state, each part followed with its own {@link BlockingWatch}: the CA roots, a
 * leaf certificate per service, the intentions, and the catalog's service names. Like service watches, a failing watch keeps
 * its last answer (listeners hear nothing until Consul answers again), backs off, and shows in
 * {@link #health()} and {@code embassy_connect_degraded}; a watch is shared by all listeners of
 * the same target and stopped with the last handle.
 */
public final class ConsulConnectWatcher implements AutoCloseable {
  static final String ROOTS = "roots";
  static final String INTENTIONS = "intentions";
  static final String CATALOG = "catalog";

  private final ConsulConnectApi api;
  private final WatchPace pace;
  private final Clock clock;
  private final ConnectMetrics metrics;
  private final ExecutorService listenerThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("connect-listener").factory());
  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by {@link #lock}. */
  private final Map<String, Running<?>> watches = new HashMap<>();
  private volatile boolean closed;

  private record Running<T>(BlockingWatch<T> watch, ConnectMetrics.Watch meters) {}

  public static ConsulConnectWatcher connect(ConsulDiscoveryConfig config, MeterRegistry registry) {
    return new ConsulConnectWatcher(new HttpConsulConnectApi(config), WatchPace.of(config), registry, Clock.systemUTC());
  }

  ConsulConnectWatcher(ConsulConnectApi api, WatchPace pace, MeterRegistry registry, Clock clock) {
    this.api = api;
    this.pace = pace;
    this.clock = clock;
    this.metrics = new ConnectMetrics(registry, () -> health().stream().anyMatch(WatcherHealth.WatchStatus::failing));
  }

  public WatchHandle watchRoots(Consumer<ConnectRoots> listener) {
    return watch(ROOTS, api::roots, listener, roots -> roots.certificatesPem().size());
  }

  public WatchHandle watchLeaf(String service, Consumer<ConnectLeaf> listener) {
    return watch("leaf/" + service, (index, wait) -> api.leaf(service, index, wait), listener, leaf -> 1);
  }

  public WatchHandle watchIntentions(Consumer<List<ConnectIntention>> listener) {
    return watch(INTENTIONS, api::intentions, listener, List::size);
  }

  /** The names of the services in Consul's catalog, to tell which Connect services Consul does not know. */
  public WatchHandle watchServices(Consumer<java.util.Set<String>> listener) {
    return watch(CATALOG, api::services, listener, java.util.Set::size);
  }

  /** One status per running watch; {@code instances} counts roots, intentions, or 1 for a leaf. */
  public List<WatcherHealth.WatchStatus> health() {
    lock.lock();
    try {
      List<WatcherHealth.WatchStatus> statuses = new ArrayList<>();
      watches.values().forEach(r -> statuses.add(r.watch().status()));
      statuses.sort(java.util.Comparator.comparing(WatcherHealth.WatchStatus::target));
      return statuses;
    } finally {
      lock.unlock();
    }
  }

  @SuppressWarnings("unchecked")
  private <T> WatchHandle watch(String target, BlockingWatch.Read<T> read, Consumer<T> listener, java.util.function.ToIntFunction<T> size) {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("the Connect watcher is closed");
      }
      Running<T> running = (Running<T>) watches.get(target);
      if (running == null) {
        ConnectMetrics.Watch meters = metrics.watch(target, this::syncAgeSeconds);
        running = new Running<>(new BlockingWatch<>(target, Optional.empty(), read, pace, clock, meters, size), meters);
        watches.put(target, running);
        running.watch().start();
      }
      Running<T> joined = running;
      CoalescingDelivery<T> delivery = joined.watch().subscribe(listener, listenerThreads);
      AtomicBoolean released = new AtomicBoolean();
      return () -> {
        if (released.compareAndSet(false, true)) {
          release(target, joined, delivery);
        }
      };
    } finally {
      lock.unlock();
    }
  }

  private <T> void release(String target, Running<T> running, CoalescingDelivery<T> delivery) {
    lock.lock();
    try {
      running.watch().unsubscribe(delivery);
      if (!running.watch().hasSubscribers() && watches.get(target) == running) {
        watches.remove(target);
        running.watch().stop();
        running.meters().close();
      }
    } finally {
      lock.unlock();
    }
  }

  private double syncAgeSeconds(String target) {
    lock.lock();
    try {
      Running<?> running = watches.get(target);
      return running == null ? 0 : running.watch().syncAge().toNanos() / 1e9;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      watches.values().forEach(r -> {
        r.watch().stop();
        r.meters().close();
      });
      watches.clear();
      metrics.close();
    } finally {
      lock.unlock();
    }
    listenerThreads.shutdown();
  }
}
