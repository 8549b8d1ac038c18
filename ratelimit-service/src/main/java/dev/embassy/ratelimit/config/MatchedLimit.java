package dev.embassy.ratelimit.config;

/**
 * The limit one request descriptor matched.
 *
 * @param counterPath the descriptor's canonical path (see {@link DescriptorPath}), the counter key
 * @param statKey the metric label: the rule's, or the request's values for a detailed metric
 */
public record MatchedLimit(LimitRule rule, String counterPath, String statKey) {}
