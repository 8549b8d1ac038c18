package dev.embassy.discovery.consul;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Delay before retrying a failed query: exponential from {@code min}, capped at {@code max}, with
 * "equal jitter" (a random point in the upper half of the step). The jitter spreads a thousand
 * watches that failed together (Consul restarting) so they do not come back in lockstep; the
 * lower half is cut so a down agent is not polled faster than the step. Not thread-safe.
 */
final class RetryBackoff {
  private final long minNanos;
  private final long maxNanos;
  private int failures;

  RetryBackoff(Duration min, Duration max) {
    if (min.isZero() || min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("need 0 < min <= max, got " + min + " and " + max);
    }
    this.minNanos = min.toNanos();
    this.maxNanos = max.toNanos();
  }

  /** The cap for the current failure count, before jitter. */
  Duration step() {
    long step = minNanos;
    for (int i = 0; i < failures && step < maxNanos; i++) {
      step = step > maxNanos / 2 ? maxNanos : step * 2;
    }
    return Duration.ofNanos(Math.min(step, maxNanos));
  }

  /** Counts one more failure and returns the delay before the next attempt. */
  Duration next(RandomGenerator random) {
    long step = step().toNanos();
    failures = Math.min(failures + 1, 62);
    long half = step / 2;
    return Duration.ofNanos(step - half + random.nextLong(half + 1));
  }

  void reset() {
    failures = 0;
  }
}
