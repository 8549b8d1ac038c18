package dev.embassy.discovery.consul;

import dev.embassy.discovery.ServiceQuery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The discovery meters (Prometheus names):
 *
 * <ul>
 *   <li>{@code embassy_discovery_watches}: distinct queries being watched;</li>
 *   <li>{@code embassy_discovery_blocking_queries}: requests to Consul in flight (a watch holds one
 *       while it blocks; drops when a watch is closed);</li>
 *   <li>{@code embassy_discovery_degraded}: 1 while any watch is failing;</li>
 *   <li>{@code embassy_discovery_catalog_services}: services in the catalog;</li>
 *   <li>per watched service: {@code embassy_discovery_watch_errors_total{service}},
 *       {@code embassy_discovery_last_sync_age_seconds{service}} (time since Consul last
 *       answered; the oldest of the service's queries) and
 *       {@code embassy_discovery_instance_changes_total{service}}; removed when the service is no
 *       longer watched, which keeps the label set bounded by what is configured;</li>
 *   <li>{@code embassy_discovery_catalog_errors_total}.</li>
 * </ul>
 */
final class DiscoveryMetrics implements WatchMeters {
  private final MeterRegistry registry;
  private final AtomicInteger blockingQueries = new AtomicInteger();
  private final Counter catalogErrors;
  private final Counter catalogChanges;
  private final List<Meter> global;
  /** Guarded by {@code this}. */
  private final Map<String, ServiceMeters> services = new HashMap<>();

  private record ServiceMeters(int references, Counter errors, Counter changes, Gauge syncAge) {
    List<Meter> meters() {
      return List.of(errors, changes, syncAge);
    }
  }

  DiscoveryMetrics(MeterRegistry registry, IntSupplier watches, BooleanSupplier degraded, IntSupplier catalogServices) {
    this.registry = registry;
    catalogErrors = Counter.builder("embassy.discovery.catalog.errors").description("Failed catalog requests").register(registry);
    catalogChanges = Counter.builder("embassy.discovery.catalog.changes").description("Catalog service lists that differed from the last").register(registry);
    global =
        List.of(
            Gauge.builder("embassy.discovery.watches", watches::getAsInt)
                .description("Distinct service queries being watched").strongReference(true).register(registry),
            Gauge.builder("embassy.discovery.blocking.queries", blockingQueries::get)
                .description("Requests to Consul in flight").strongReference(true).register(registry),
            Gauge.builder("embassy.discovery.degraded", () -> degraded.getAsBoolean() ? 1 : 0)
                .description("1 while a watch is failing and the last known instances are served").strongReference(true).register(registry),
            Gauge.builder("embassy.discovery.catalog.services", catalogServices::getAsInt)
                .description("Services in the Consul catalog").strongReference(true).register(registry),
            catalogErrors,
            catalogChanges);
  }

  /** Removes every meter, so a closed watcher does not keep reporting (or pin its gauges' targets). */
  synchronized void close() {
    global.forEach(registry::remove);
    services.values().forEach(m -> m.meters().forEach(registry::remove));
    services.clear();
  }

  @Override
  public void queryStarted() {
    blockingQueries.incrementAndGet();
  }

  @Override
  public void queryFinished() {
    blockingQueries.decrementAndGet();
  }

  int blockingQueries() {
    return blockingQueries.get();
  }

  /** A query of {@code service} started being watched; {@code syncAgeSeconds} reads the oldest sync age of the service. */
  synchronized void serviceWatched(String service, ToDoubleFunction<String> syncAgeSeconds) {
    ServiceMeters meters = services.get(service);
    if (meters == null) {
      meters =
          new ServiceMeters(
              0,
              Counter.builder("embassy.discovery.watch.errors").tag("service", service)
                  .description("Failed requests of a service's watches").register(registry),
              Counter.builder("embassy.discovery.instance.changes").tag("service", service)
                  .description("Instance lists that differed from the last").register(registry),
              Gauge.builder("embassy.discovery.last.sync.age", () -> syncAgeSeconds.applyAsDouble(service))
                  .tag("service", service).baseUnit("seconds").strongReference(true)
                  .description("Time since Consul last answered a watch of the service").register(registry));
    }
    services.put(service, new ServiceMeters(meters.references() + 1, meters.errors(), meters.changes(), meters.syncAge()));
  }

  synchronized void serviceUnwatched(String service) {
    ServiceMeters meters = services.get(service);
    if (meters == null) {
      return;
    }
    if (meters.references() > 1) {
      services.put(service, new ServiceMeters(meters.references() - 1, meters.errors(), meters.changes(), meters.syncAge()));
      return;
    }
    services.remove(service);
    meters.meters().forEach(registry::remove);
  }

  @Override
  public void watchError(Optional<ServiceQuery> query) {
    query.ifPresentOrElse(q -> meters(q.service()).ifPresent(m -> m.errors().increment()), catalogErrors::increment);
  }

  @Override
  public void changed(Optional<ServiceQuery> query) {
    query.ifPresentOrElse(q -> meters(q.service()).ifPresent(m -> m.changes().increment()), catalogChanges::increment);
  }

  private synchronized Optional<ServiceMeters> meters(String service) {
    return Optional.ofNullable(services.get(service));
  }
}
