package dev.embassy.ratelimit.rls;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import java.util.ArrayList;
import java.util.List;

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-03, the version Envoy's
 * DRAFT_VERSION_03 X-RateLimit-* follow), added through response_headers_to_add when the policy's
 * {@code responseHeaders} is on. Limit, Remaining and Reset describe the limit closest to refusal
 * (a refusing limit first, then the smallest remaining, as Envoy picks for X-RateLimit-*); Policy
 * lists every limit that applied, with its true window in seconds, e.g. {@code 100;w=300}.
 */
final class RateLimitHeaders {
  /** One limit that applied to the request. */
  record Applied(long limit, long windowMillis, long remaining, long resetSeconds, boolean refused) {}

  private RateLimitHeaders() {}

  static List<HeaderValue> of(List<Applied> applied) {
    if (applied.isEmpty()) {
      return List.of();
    }
    Applied closest = null;
    StringBuilder policy = new StringBuilder();
    for (Applied a : applied) {
      if (closest == null || (a.refused() && !closest.refused())
          || (a.refused() == closest.refused() && a.remaining() < closest.remaining())) {
        closest = a;
      }
      if (!policy.isEmpty()) {
        policy.append(", ");
      }
      // delta-seconds: a sub-second window rounds up to 1.
      policy.append(a.limit()).append(";w=").append(Math.max(1, Math.ceilDiv(a.windowMillis(), 1000)));
    }
    List<HeaderValue> headers = new ArrayList<>(4);
    headers.add(header("RateLimit-Limit", Long.toString(closest.limit())));
    headers.add(header("RateLimit-Remaining", Long.toString(closest.remaining())));
    headers.add(header("RateLimit-Reset", Long.toString(closest.resetSeconds())));
    headers.add(header("RateLimit-Policy", policy.toString()));
    return headers;
  }

  private static HeaderValue header(String name, String value) {
    return HeaderValue.newBuilder().setKey(name).setValue(value).build();
  }
}
