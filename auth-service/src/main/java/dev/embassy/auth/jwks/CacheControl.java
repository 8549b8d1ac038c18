package dev.embassy.auth.jwks;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** The part of an HTTP Cache-Control header (RFC 9111 §5.2) that sets how long keys stay fresh. */
final class CacheControl {
  private CacheControl() {}

  /** max-age in seconds; no-store and no-cache count as zero (then the refresh minimum applies). */
  static Optional<Duration> maxAge(Optional<String> header) {
    if (header.isEmpty()) {
      return Optional.empty();
    }
    Optional<Duration> maxAge = Optional.empty();
    for (String directive : header.get().split(",")) {
      String d = directive.strip().toLowerCase(Locale.ROOT);
      if (d.equals("no-store") || d.equals("no-cache")) {
        return Optional.of(Duration.ZERO);
      }
      if (d.startsWith("max-age=")) {
        String value = d.substring("max-age=".length()).replace("\"", "");
        try {
          maxAge = Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
        } catch (NumberFormatException e) {
          // RFC 9111 §4.2.1: an invalid max-age is treated as stale; the minimum applies.
          maxAge = Optional.of(Duration.ZERO);
        }
      }
    }
    return maxAge;
  }
}
