package dev.embassy.ratelimit.config;

import dev.embassy.config.model.RateLimitPolicy.FailureMode;
import dev.embassy.config.model.RateLimitPolicy.Mode;
import java.util.List;
import java.util.Optional;

/**
 * A rate-limit policy ready to answer requests: its descriptor tree plus the settings the service
 * needs per request.
 */
public record CompiledPolicy(
    String name,
    String domain,
    DescriptorNode root,
    FailureMode failureMode,
    Mode mode,
    boolean responseHeaders) {

  /**
   * The limit for one request descriptor, with envoyproxy/ratelimit's semantics: entries are
   * matched level by level (exact value, then wildcard, then key only), and a limit applies only
   * when the descriptor has exactly as many entries as the depth at which the limit is written.
   * A descriptor longer than the tree, or one that ends on a level without a limit, has none.
   */
  public Optional<MatchedLimit> match(List<DescriptorEntry> entries) {
    if (entries.isEmpty()) {
      return Optional.empty();
    }
    DescriptorNode level = root;
    int last = entries.size() - 1;
    for (int i = 0; i <= last; i++) {
      DescriptorNode next = level.child(entries.get(i));
      if (next == null) {
        return Optional.empty();
      }
      if (i == last) {
        return next.limit().map(rule -> new MatchedLimit(rule, DescriptorPath.of(entries), statKey(rule, entries)));
      }
      if (!next.hasChildren()) {
        // The request has more entries than the configuration nests.
        return Optional.empty();
      }
      level = next;
    }
    return Optional.empty();
  }

  private String statKey(LimitRule rule, List<DescriptorEntry> entries) {
    if (!rule.detailedMetric()) {
      return rule.statKey();
    }
    // envoyproxy/ratelimit's detailed metric: the request's own key_value at every level.
    StringBuilder key = new StringBuilder(domain);
    for (DescriptorEntry entry : entries) {
      key.append('.').append(entry.key()).append('_').append(entry.value());
    }
    return key.toString();
  }
}
