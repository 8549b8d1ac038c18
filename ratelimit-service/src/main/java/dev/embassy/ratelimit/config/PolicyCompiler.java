package dev.embassy.ratelimit.config;

import dev.embassy.config.model.DurationText;
import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.model.RateLimitPolicy.Descriptor;
import dev.embassy.config.model.RateLimitPolicy.Limit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns validated {@link RateLimitPolicy} values into {@link CompiledPolicy} trees. */
public final class PolicyCompiler {
  private PolicyCompiler() {}

  public static CompiledPolicy compile(RateLimitPolicy policy) {
    DescriptorNode root = level(policy.domain(), policy.descriptors());
    return new CompiledPolicy(policy.name(), policy.domain(), root, policy.failureMode(), policy.mode(), policy.responseHeaders());
  }

  private static DescriptorNode level(String parentStatKey, List<Descriptor> descriptors) {
    Map<String, Map<String, DescriptorNode>> exact = new LinkedHashMap<>();
    List<DescriptorNode.Wildcard> wildcards = new ArrayList<>();
    Map<String, DescriptorNode> byKey = new LinkedHashMap<>();
    for (Descriptor descriptor : descriptors) {
      String statKey = parentStatKey + "." + descriptor.key() + descriptor.value().map(v -> "_" + v).orElse("");
      DescriptorNode children = level(statKey, descriptor.descriptors());
      DescriptorNode node = new DescriptorNode(children.exact(), children.wildcards(), children.byKey(),
          descriptor.limit().map(limit -> rule(limit, descriptor, statKey)));
      Optional<String> value = descriptor.value();
      if (value.isEmpty()) {
        byKey.putIfAbsent(descriptor.key(), node);
      } else if (value.get().endsWith("*")) {
        // envoyproxy/ratelimit: a trailing '*' is a prefix match, tried in the order written,
        // after an exact value and before the key alone.
        String prefix = value.get().substring(0, value.get().length() - 1);
        wildcards.add(new DescriptorNode.Wildcard(descriptor.key(), prefix, node));
        // The literal value still matches exactly (as envoyproxy/ratelimit's map lookup does).
        exact.computeIfAbsent(descriptor.key(), k -> new LinkedHashMap<>()).putIfAbsent(value.get(), node);
      } else {
        exact.computeIfAbsent(descriptor.key(), k -> new LinkedHashMap<>()).putIfAbsent(value.get(), node);
      }
    }
    return new DescriptorNode(freeze(exact), List.copyOf(wildcards), Map.copyOf(byKey), Optional.empty());
  }

  private static LimitRule rule(Limit limit, Descriptor descriptor, String statKey) {
    long window = limit.unlimited() ? 0 : DurationText.of(limit.window()).toMillis();
    long requests = limit.unlimited() || limit.requests() == null ? 0 : limit.requests();
    return new LimitRule(requests, window, limit.unlimited(), limit.name(), limit.replaces(),
        descriptor.shadowMode(), descriptor.detailedMetric(), statKey);
  }

  private static Map<String, Map<String, DescriptorNode>> freeze(Map<String, Map<String, DescriptorNode>> exact) {
    Map<String, Map<String, DescriptorNode>> frozen = new LinkedHashMap<>();
    exact.forEach((key, values) -> frozen.put(key, Map.copyOf(values)));
    return Map.copyOf(frozen);
  }
}
