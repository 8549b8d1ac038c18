package dev.embassy.discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of the watches' state for /healthz and logs.
 *
 * @param degraded true while the catalog watch or any service watch is failing; the last known
 *     instances are still being served
 * @param catalog the catalog watch
 * @param watches one per distinct query being watched
 */
public record WatcherHealth(boolean degraded, WatchStatus catalog, List<WatchStatus> watches) {
  public WatcherHealth {
    watches = List.copyOf(watches);
  }

  /**
   * @param target what is watched, e.g. {@code service web} or {@code catalog}
   * @param query the query, for service watches
   * @param lastSync when the registry last answered
   * @param consecutiveErrors failed requests since the last answer; non-zero means failing
   * @param totalErrors failed requests since the watch started
   * @param lastError the last failure's message
   * @param instances instances (or catalog services) last known
   */
  public record WatchStatus(
      String target, Optional<ServiceQuery> query, Optional<Instant> lastSync, long consecutiveErrors,
      long totalErrors, Optional<String> lastError, int instances) {

    public boolean failing() {
      return consecutiveErrors > 0;
    }

    /** Time since the registry last answered; empty if it never has. */
    public Optional<Duration> sinceLastSync(Instant now) {
      return lastSync.map(at -> Duration.between(at, now));
    }
  }
}
