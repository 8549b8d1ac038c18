package dev.embassy.discovery.consul;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The {@code wait=} of one blocking query: the configured wait minus up to a sixteenth, in whole
 * seconds (consul-api 1.4.5 sends the wait in seconds). The jitter keeps watches started together
 * from timing out together; subtracting it keeps us under Consul's 10 minute maximum, and Consul
 * adds up to wait/16 of its own, which {@link ConsulConnection}'s socket timeout allows for.
 */
final class BlockingWait {
  static final Duration MAX = Duration.ofMinutes(10);

  private BlockingWait() {}

  static long jitteredSeconds(Duration wait, RandomGenerator random) {
    long seconds = Math.max(1, Math.min(wait.toSeconds(), MAX.toSeconds()));
    long jitter = seconds / 16;
    return Math.max(1, seconds - (jitter == 0 ? 0 : random.nextLong(jitter + 1)));
  }
}
