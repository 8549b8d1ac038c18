package dev.embassy.config.validate;

import dev.embassy.config.model.Route;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The route filters Embassy adds to Gateway API's (direct responses, fault injection, local rate
 * limits, body limits), held to the limits Envoy enforces on what they become.
 */
final class TrafficFilterRules {
  /** RouteConfiguration.max_direct_response_body_size_bytes, which Embassy leaves at Envoy's default. */
  static final int MAX_DIRECT_BODY_BYTES = 4096;
  /** Envoy refuses a token bucket refilled more often ("fill_interval must be >= 50ms"). */
  private static final Duration MIN_FILL_INTERVAL = Duration.ofMillis(50);

  private TrafficFilterRules() {}

  static void check(Route.Filter filter, Violations v) {
    filter.directResponse().ifPresent(direct -> {
      Violations at = v.at("directResponse");
      // DirectResponseAction.status: PGV gte 200, lt 600.
      Checks.range(at, "status", direct.status(), 200, 599);
      direct.body().ifPresent(body -> {
        if (body.getBytes(StandardCharsets.UTF_8).length > MAX_DIRECT_BODY_BYTES) {
          at.add("body", "must be at most " + MAX_DIRECT_BODY_BYTES + " bytes (Envoy's limit for a direct response body)");
        }
      });
    });
    filter.faultInjection().ifPresent(fault -> {
      Violations at = v.at("faultInjection");
      if (fault.delay().isEmpty() && fault.abort().isEmpty()) {
        at.here("needs delay or abort");
      }
      fault.delay().ifPresent(delay -> {
        Checks.duration(at.at("delay"), "duration", delay.duration(), Duration.ofMinutes(5));
        Checks.range(at.at("delay"), "percent", delay.percent(), 0, 100);
      });
      fault.abort().ifPresent(abort -> {
        // HTTPFault abort http_status: PGV gte 200, lt 600.
        if (Checks.required(at.at("abort"), "status", abort.status())) {
          Checks.range(at.at("abort"), "status", abort.status(), 200, 599);
        }
        Checks.range(at.at("abort"), "percent", abort.percent(), 0, 100);
      });
    });
    filter.localRateLimit().ifPresent(limit -> {
      Violations at = v.at("localRateLimit");
      // TokenBucket.max_tokens and tokens_per_fill: PGV gt 0 (uint32).
      if (Checks.required(at, "requests", limit.requests())) {
        Checks.range(at, "requests", limit.requests(), 1, 1_000_000_000);
      }
      Duration per = Checks.duration(at, "per", limit.per(), Duration.ofDays(1));
      if (per != null && per.compareTo(MIN_FILL_INTERVAL) < 0) {
        at.add("per", "must be at least 50ms (Envoy refills a token bucket at most every 50ms)");
      }
    });
    filter.requestBodyLimit().ifPresent(limit -> {
      Violations at = v.at("requestBodyLimit");
      // Buffer.max_request_bytes: UInt32Value, PGV gt 0; 4 GiB - 1 at most.
      if (Checks.required(at, "maxBytes", limit.maxBytes())) {
        Checks.range(at, "maxBytes", limit.maxBytes(), 1, Integer.MAX_VALUE);
      }
    });
  }

  /** Whether the rule answers requests itself (no backend). */
  static boolean answersItself(Route.Filter filter) {
    return filter.directResponse().isPresent();
  }
}
