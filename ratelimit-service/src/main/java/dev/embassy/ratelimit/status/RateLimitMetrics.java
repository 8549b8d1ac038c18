package dev.embassy.ratelimit.status;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * The service's Prometheus metrics, named embassy_ratelimit_&lt;what&gt; with _total for counters
 * and _seconds for timings (Micrometer adds the suffixes).
 *
 * <p>Per-descriptor counters are labelled by domain and by envoyproxy/ratelimit's stat key
 * ({@code domain.key_value.key}); a limit with {@code detailedMetric} labels by the request's own
 * values instead, which can be unbounded, so at most {@value #MAX_DESCRIPTOR_SERIES} descriptor
 * label sets are kept and the rest are counted under {@code descriptor="_other"}.
 */
public final class RateLimitMetrics {
  static final int MAX_DESCRIPTOR_SERIES = 10_000;

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** By domain, then stat key: two lookups and no key to build per request. */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, DescriptorMetrics>> descriptors = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger descriptorSeries = new java.util.concurrent.atomic.AtomicInteger();
  private final Counter unknownDomain;
  private final Timer request;
  private final DistributionSummary batchSize;
  private final Timer batchWait;
  private final Counter membershipChanges;
  private final Counter handOverSent;
  private final Counter handOverReceived;
  private final Counter handOverFailed;
  private final ConcurrentHashMap<String, Timer> forwards = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> unreachable = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Counter> globalSyncs = new ConcurrentHashMap<>();

  /** The four counters the issue asks for, per descriptor. */
  public record DescriptorMetrics(Counter hits, Counter overLimit, Counter nearLimit, Counter shadowMode) {}

  public RateLimitMetrics() {
    unknownDomain = Counter.builder("embassy.ratelimit.unknown.domain")
        .description("Requests for a domain no policy has; answered OK without limits")
        .register(registry);
    request = Timer.builder("embassy.ratelimit.request")
        .description("Time to answer one ShouldRateLimit call, peer hops included")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(1))
        .register(registry);
    batchSize = DistributionSummary.builder("embassy.ratelimit.peer.batch.size")
        .description("Hits per batch forwarded to a key's owner")
        .baseUnit("hits")
        .publishPercentileHistogram()
        .minimumExpectedValue(1.0)
        .maximumExpectedValue(10_000.0)
        .register(registry);
    batchWait = Timer.builder("embassy.ratelimit.peer.batch.wait")
        .description("Time from a batch's first hit until the batch is sent (bounded by the batch window)")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(1_000))
        .maximumExpectedValue(Duration.ofMillis(10))
        .register(registry);
    membershipChanges = Counter.builder("embassy.ratelimit.ownership.changes")
        .description("Changes of the live membership, each of which moves the ownership of some keys")
        .register(registry);
    handOverSent = Counter.builder("embassy.ratelimit.handover.keys.sent")
        .description("Counter states handed to their new owner").register(registry);
    handOverReceived = Counter.builder("embassy.ratelimit.handover.keys.received")
        .description("Counter states received from their previous holder and merged").register(registry);
    handOverFailed = Counter.builder("embassy.ratelimit.handover.keys.failed")
        .description("Counter states whose hand-over failed; kept here and retried on the next sweep").register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public DescriptorMetrics descriptor(String domain, String statKey) {
    ConcurrentHashMap<String, DescriptorMetrics> byKey = descriptors.computeIfAbsent(domain, d -> new ConcurrentHashMap<>());
    DescriptorMetrics found = byKey.get(statKey);
    if (found != null) {
      return found;
    }
    String key = descriptorSeries.get() >= MAX_DESCRIPTOR_SERIES ? "_other" : statKey;
    return byKey.computeIfAbsent(key, k -> {
      descriptorSeries.incrementAndGet();
      return create(domain, k);
    });
  }

  private DescriptorMetrics create(String domain, String statKey) {
    return new DescriptorMetrics(
        counter("embassy.ratelimit.hits", "Hits on a limit (hits_addend summed)", domain, statKey),
        counter("embassy.ratelimit.over.limit", "Hits refused, or that would have been refused in shadow mode", domain, statKey),
        counter("embassy.ratelimit.near.limit", "Hits admitted while the window was above 80% of the limit", domain, statKey),
        counter("embassy.ratelimit.shadow.mode", "Hits over the limit that were let through because the limit is in shadow mode", domain, statKey));
  }

  private Counter counter(String name, String description, String domain, String statKey) {
    return Counter.builder(name).description(description).tag("domain", domain).tag("descriptor", statKey).register(registry);
  }

  public void unknownDomain() {
    unknownDomain.increment();
  }

  public void answered(long nanos) {
    request.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void ownerUnreachable(String failureMode) {
    unreachable.computeIfAbsent(failureMode, mode -> Counter.builder("embassy.ratelimit.owner.unreachable")
        .description("Hits whose owner node could not be reached in time, answered by the policy's failure mode")
        .tag("failure_mode", mode).register(registry)).increment();
  }

  public void forwarded(String peer, long nanos, int hits, long waitNanos) {
    forwards.computeIfAbsent(peer, p -> Timer.builder("embassy.ratelimit.peer.forward")
        .description("Round trip of one batch of hits to the owner node")
        .tag("peer", p)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(1))
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    batchSize.record(hits);
    batchWait.record(waitNanos, TimeUnit.NANOSECONDS);
  }

  public void membershipChanged() {
    membershipChanges.increment();
  }

  public void handOverSent(int keys) {
    handOverSent.increment(keys);
  }

  public void handOverReceived(int keys) {
    handOverReceived.increment(keys);
  }

  public void handOverFailed(int keys) {
    handOverFailed.increment(keys);
  }

  public void globalSync(String result) {
    globalSyncs.computeIfAbsent(result, r -> Counter.builder("embassy.ratelimit.global.syncs")
        .description("Global-mode exchanges with key owners, by result").tag("result", r).register(registry)).increment();
  }

  public void gauge(String name, String description, DoubleSupplier value) {
    // Strong reference: Micrometer otherwise holds the supplier weakly and the gauge turns NaN after a GC.
    Gauge.builder(name, value, DoubleSupplier::getAsDouble).strongReference(true).description(description).register(registry);
  }

  public String scrape() {
    return registry.scrape();
  }
}
