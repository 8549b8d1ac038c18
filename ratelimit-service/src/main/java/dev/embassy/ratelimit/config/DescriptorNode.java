package dev.embassy.ratelimit.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One level of a policy's descriptor tree, indexed the way envoyproxy/ratelimit looks entries up:
 * first by key and exact value, then by the wildcard values of that level in the order they were
 * written (a value ending in {@code *} matches every value with that prefix), then by key alone.
 */
record DescriptorNode(
    Map<String, Map<String, DescriptorNode>> exact,
    List<Wildcard> wildcards,
    Map<String, DescriptorNode> byKey,
    Optional<LimitRule> limit) {

  /** A child whose value is {@code prefix*}. */
  record Wildcard(String key, String prefix, DescriptorNode node) {}

  boolean hasChildren() {
    return !exact.isEmpty() || !wildcards.isEmpty() || !byKey.isEmpty();
  }

  /** The child matching {@code entry} by the most specific rule, or null. */
  DescriptorNode child(DescriptorEntry entry) {
    Map<String, DescriptorNode> values = exact.get(entry.key());
    if (values != null) {
      DescriptorNode node = values.get(entry.value());
      if (node != null) {
        return node;
      }
    }
    for (int i = 0; i < wildcards.size(); i++) {
      Wildcard wildcard = wildcards.get(i);
      if (wildcard.key().equals(entry.key()) && entry.value().startsWith(wildcard.prefix())) {
        return wildcard.node();
      }
    }
    return byKey.get(entry.key());
  }
}
