package dev.embassy.discovery.consul;

import dev.embassy.discovery.ServiceQuery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The Connect watch meters (Prometheus names):
 *
 * <ul>
 *   <li>{@code embassy_connect_degraded}: 1 while a Connect watch (roots, a leaf, intentions) is
 *       failing and the last certificates and intentions it had are served;</li>
 *   <li>per watch ({@code watch} is {@code roots}, {@code intentions} or {@code leaf/<service>}):
 *       {@code embassy_connect_watch_errors_total}, {@code embassy_connect_changes_total} and
 *       {@code embassy_connect_last_sync_age_seconds}; removed with the watch.</li>
 * </ul>
 *
 * Blocking queries in flight count in {@code embassy_discovery_blocking_queries} only when the
 * service watcher shares them; Connect holds at most two plus one per identity.
 */
final class ConnectMetrics {
  private final MeterRegistry registry;
  private final Gauge degraded;

  ConnectMetrics(MeterRegistry registry, BooleanSupplier degraded) {
    this.registry = registry;
    this.degraded = Gauge.builder("embassy.connect.degraded", () -> degraded.getAsBoolean() ? 1 : 0)
        .description("1 while a Consul Connect watch is failing and its last certificates or intentions are served")
        .strongReference(true).register(registry);
  }

  /** The meters of one watch, registered now and removed by {@link Watch#close}. */
  Watch watch(String target, ToDoubleFunction<String> syncAgeSeconds) {
    return new Watch(target, syncAgeSeconds);
  }

  void close() {
    registry.remove(degraded);
  }

  final class Watch implements WatchMeters {
    private final Counter errors;
    private final Counter changes;
    private final List<Meter> meters = new ArrayList<>();

    private Watch(String target, ToDoubleFunction<String> syncAgeSeconds) {
      errors = Counter.builder("embassy.connect.watch.errors").tag("watch", target)
          .description("Failed requests of a Consul Connect watch").register(registry);
      changes = Counter.builder("embassy.connect.changes").tag("watch", target)
          .description("Connect roots, leaves or intentions that differed from the last").register(registry);
      meters.add(errors);
      meters.add(changes);
      meters.add(Gauge.builder("embassy.connect.last.sync.age", () -> syncAgeSeconds.applyAsDouble(target)).tag("watch", target)
          .baseUnit("seconds").strongReference(true).description("Time since Consul last answered a Connect watch").register(registry));
    }

    @Override
    public void queryStarted() {}

    @Override
    public void queryFinished() {}

    @Override
    public void watchError(Optional<ServiceQuery> query) {
      errors.increment();
    }

    @Override
    public void changed(Optional<ServiceQuery> query) {
      changes.increment();
    }

    void close() {
      meters.forEach(registry::remove);
    }
  }
}
