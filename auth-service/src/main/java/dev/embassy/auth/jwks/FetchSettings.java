package dev.embassy.auth.jwks;

import java.time.Duration;

/**
 * Bounds on fetching keys (see AuthServiceConfig for defaults): timeout and size cap of one
 * fetch, the background refresh interval range, and the unknown-kid refetch rate limit.
 */
public record FetchSettings(
    Duration timeout, int maxBytes, Duration refreshMin, Duration refreshDefault, Duration refreshMax,
    Duration kidRefetchInterval) {

  /** How long to keep keys before the next background refresh, honouring max-age within bounds. */
  public Duration refreshAfter(java.util.Optional<Duration> maxAge) {
    Duration wanted = maxAge.orElse(refreshDefault);
    if (wanted.compareTo(refreshMin) < 0) {
      wanted = refreshMin;
    }
    if (wanted.compareTo(refreshMax) > 0) {
      wanted = refreshMax;
    }
    // Whatever the settings say, never poll an IdP in a tight loop.
    return wanted.compareTo(FLOOR) < 0 ? FLOOR : wanted;
  }

  private static final Duration FLOOR = Duration.ofSeconds(1);
}
