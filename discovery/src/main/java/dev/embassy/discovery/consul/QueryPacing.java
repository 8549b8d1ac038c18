package dev.embassy.discovery.consul;

import java.time.Duration;

/**
 * Rate limit of one watch's query loop (Consul's advice: a blocking query can return without a
 * change, e.g. when the index moves because of other services, and a loop that re-queries at once
 * can spin). A token bucket as a generic cell rate algorithm: up to {@code burst} queries back to
 * back, then one per {@code interval}. Bursts matter: after a quiet period the first changes are
 * seen without delay, which keeps a health flip's latency at the registry's own.
 *
 * <p>Pure arithmetic on a caller-supplied monotonic clock (nanoseconds); not thread-safe (one
 * instance per loop).
 */
final class QueryPacing {
  private final long intervalNanos;
  private final long toleranceNanos;
  private long theoreticalArrival;

  QueryPacing(int burst, Duration interval, long nowNanos) {
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be at least 1, got " + burst);
    }
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval must not be negative, got " + interval);
    }
    this.intervalNanos = interval.toNanos();
    this.toleranceNanos = (burst - 1) * intervalNanos;
    this.theoreticalArrival = nowNanos;
  }

  /** Takes the next permit; returns how long to wait before using it (zero when one is free). */
  Duration reserve(long nowNanos) {
    long tat = Math.max(theoreticalArrival, nowNanos);
    long allowedAt = tat - toleranceNanos;
    theoreticalArrival = tat + intervalNanos;
    return Duration.ofNanos(Math.max(0, allowedAt - nowNanos));
  }
}
