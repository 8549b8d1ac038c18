package dev.embassy.ratelimit.rls;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit;
import io.envoyproxy.envoy.type.v3.RateLimitUnit;

/**
 * Windows as RLS units, both ways.
 *
 * <p>Out: {@code RateLimit.unit} can only say second, minute, hour or day (Envoy's headers know
 * no others), so a window equal to one of them is sent as that unit and any other window (5m,
 * 90s, 12h) as {@code UNKNOWN}, with {@code requests_per_unit} the limit per window. Envoy's
 * DRAFT_VERSION_03 X-RateLimit-Limit then shows the limit without a {@code w=} window rather
 * than a wrong one; our own RateLimit-Policy header carries the true window ({@code 100;w=300}).
 * Sending 5m as "20 per minute" would misstate the burst a client may send.
 *
 * <p>In: a descriptor's {@code limit} override (RateLimitOverride) names a unit; it becomes a
 * window with envoyproxy/ratelimit's lengths (a month is 30 days, a year 365).
 */
final class WindowUnits {
  private static final long SECOND = 1_000;
  private static final long MINUTE = 60 * SECOND;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;

  private WindowUnits() {}

  static Unit unitOf(long windowMillis) {
    if (windowMillis == SECOND) {
      return Unit.SECOND;
    } else if (windowMillis == MINUTE) {
      return Unit.MINUTE;
    } else if (windowMillis == HOUR) {
      return Unit.HOUR;
    } else if (windowMillis == DAY) {
      return Unit.DAY;
    }
    return Unit.UNKNOWN;
  }

  /** The window of an override's unit; 0 for UNKNOWN (the override is then ignored). */
  static long windowOf(RateLimitUnit unit) {
    return switch (unit) {
      case SECOND -> SECOND;
      case MINUTE -> MINUTE;
      case HOUR -> HOUR;
      case DAY -> DAY;
      case MONTH -> 30 * DAY;
      case YEAR -> 365 * DAY;
      default -> 0;
    };
  }
}
