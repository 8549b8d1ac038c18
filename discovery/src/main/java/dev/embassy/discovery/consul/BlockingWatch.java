package dev.embassy.discovery.consul;

import dev.embassy.discovery.ServiceQuery;
import dev.embassy.discovery.WatcherHealth.WatchStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One blocking-query loop (a service's health, or the catalog) on its own virtual thread, and
 * the listeners of its result. The loop: wait for a pacing permit, query with the last index,
 * derive the next index, and hand the result to the listeners only if it differs from the last
 * one. On an error it keeps the last result (listeners hear nothing), records the error, backs
 * off, and re-reads from index 0 (see {@link BlockingIndex}: after an outage Consul's index may
 * be lower than ours).
 *
 * <p>A virtual thread, so a thousand watches blocked in socket reads hold a thousand small heap
 * stacks and no platform threads; and because consul-api cannot cancel a request, stopping
 * interrupts the thread, which closes its blocked socket (JEP 444).
 */
final class BlockingWatch<T> {
  private static final Logger LOG = LoggerFactory.getLogger(BlockingWatch.class);

  /** One blocking read: the value at or after {@code index}, waiting up to {@code waitSeconds}. */
  @FunctionalInterface
  interface Read<T> {
    ConsulAnswer<T> read(long index, long waitSeconds);
  }

  private final String target;
  private final Optional<ServiceQuery> query;
  private final Read<T> read;
  private final WatchPace pace;
  private final Clock clock;
  private final WatchMeters metrics;
  private final ToIntFunction<T> size;
  private final Instant startedAt;
  private final Thread thread;
  private final CopyOnWriteArrayList<CoalescingDelivery<T>> deliveries = new CopyOnWriteArrayList<>();
  private final AtomicReference<Optional<T>> current = new AtomicReference<>(Optional.empty());
  private final AtomicLong totalErrors = new AtomicLong();
  private volatile long consecutiveErrors;
  private volatile Optional<Instant> lastSync = Optional.empty();
  private volatile Optional<String> lastError = Optional.empty();
  private volatile boolean stopped;

  BlockingWatch(
      String target, Optional<ServiceQuery> query, Read<T> read, WatchPace pace, Clock clock,
      WatchMeters metrics, ToIntFunction<T> size) {
    this.target = target;
    this.query = query;
    this.read = read;
    this.pace = pace;
    this.clock = clock;
    this.metrics = metrics;
    this.size = size;
    this.startedAt = clock.instant();
    this.thread = Thread.ofVirtual().name("consul-watch " + target).unstarted(this::run);
  }

  BlockingWatch<T> start() {
    thread.start();
    return this;
  }

  /** Adds a listener; it gets the current value at once if one is known. */
  CoalescingDelivery<T> subscribe(Consumer<T> listener, Executor executor) {
    CoalescingDelivery<T> delivery = new CoalescingDelivery<>(target, listener, executor);
    deliveries.add(delivery);
    // The loop may publish between these two lines: then the listener is offered the same value
    // twice, and the delivery drops the repeat.
    current.get().ifPresent(delivery::offer);
    return delivery;
  }

  void unsubscribe(CoalescingDelivery<T> delivery) {
    delivery.close();
    deliveries.remove(delivery);
  }

  boolean hasSubscribers() {
    return !deliveries.isEmpty();
  }

  Optional<T> current() {
    return current.get();
  }

  boolean failing() {
    return consecutiveErrors > 0;
  }

  Duration syncAge() {
    return Duration.between(lastSync.orElse(startedAt), clock.instant());
  }

  WatchStatus status() {
    return new WatchStatus(
        target, query, lastSync, consecutiveErrors, totalErrors.get(), lastError,
        current.get().map(size::applyAsInt).orElse(0));
  }

  /** Stops the loop (and its request in flight) and every listener. Does not wait. */
  void stop() {
    stopped = true;
    deliveries.forEach(CoalescingDelivery::close);
    deliveries.clear();
    thread.interrupt();
  }

  /** For tests and benchmarks: waits until the loop thread has ended. */
  boolean awaitStopped(Duration timeout) throws InterruptedException {
    return thread.join(timeout);
  }

  private void run() {
    SplittableRandom random = new SplittableRandom();
    QueryPacing pacing = new QueryPacing(pace.burst(), pace.interval(), System.nanoTime());
    RetryBackoff backoff = new RetryBackoff(pace.retryMin(), pace.retryMax());
    long index = 0;
    while (!stopped) {
      try {
        Duration delay = pacing.reserve(System.nanoTime());
        if (delay.isPositive()) {
          Thread.sleep(delay);
        }
        ConsulAnswer<T> answer = query(index, BlockingWait.jitteredSeconds(pace.blockingWait(), random));
        index = BlockingIndex.next(index, answer.index());
        succeeded(answer.value());
        backoff.reset();
      } catch (RuntimeException e) {
        if (stopped) {
          break;
        }
        failed(e);
        index = 0;
        try {
          Thread.sleep(backoff.next(random));
        } catch (InterruptedException interrupted) {
          break;
        }
      } catch (InterruptedException e) {
        break;
      }
    }
    LOG.debug("watch of {} stopped", target);
  }

  private ConsulAnswer<T> query(long index, long waitSeconds) {
    metrics.queryStarted();
    try {
      return read.read(index, waitSeconds);
    } finally {
      metrics.queryFinished();
    }
  }

  private void succeeded(T value) {
    lastSync = Optional.of(clock.instant());
    if (consecutiveErrors > 0) {
      LOG.info("watch of {} recovered after {} failed requests", target, consecutiveErrors);
      consecutiveErrors = 0;
    }
    Optional<T> previous = current.get();
    if (previous.isPresent() && previous.get().equals(value)) {
      return;
    }
    current.set(Optional.of(value));
    metrics.changed(query);
    deliveries.forEach(d -> d.offer(value));
  }

  private void failed(Exception e) {
    long errors = ++consecutiveErrors;
    totalErrors.incrementAndGet();
    lastError = Optional.of(String.valueOf(e.getMessage()));
    metrics.watchError(query);
    if (errors == 1) {
      LOG.warn("watch of {} failing, keeping the last known result ({}): {}",
          target, current.get().map(v -> size.applyAsInt(v) + " entries").orElse("none known yet"), e.getMessage());
    } else {
      LOG.debug("watch of {} still failing ({} in a row): {}", target, errors, e.getMessage());
    }
  }
}
