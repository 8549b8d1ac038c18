package dev.embassy.ratelimit.config;

import java.util.List;
import java.util.Optional;

/**
 * A limit as enforced: {@code requests} per sliding window of {@code windowMillis}, or unlimited.
 *
 * @param statKey the metric label for this limit, envoyproxy/ratelimit's stat key form
 *     ({@code domain.key_value.key}); with {@code detailedMetric} the request's own values are used
 *     instead, per request
 */
public record LimitRule(
    long requests,
    long windowMillis,
    boolean unlimited,
    Optional<String> name,
    List<String> replaces,
    boolean shadowMode,
    boolean detailedMetric,
    String statKey) {
  public LimitRule {
    replaces = List.copyOf(replaces);
    if (!unlimited && windowMillis <= 0) {
      throw new IllegalArgumentException("a limited rule needs a positive window");
    }
  }
}
