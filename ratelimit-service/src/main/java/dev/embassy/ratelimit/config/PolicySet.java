package dev.embassy.ratelimit.config;

import dev.embassy.config.model.RateLimitPolicy;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every policy this node enforces, by domain, as of one config revision (or one read of the
 * static config directory). Immutable: a config change builds a new set and swaps it in whole.
 *
 * @param revision the store revision, or -1 for policies read from files
 */
public record PolicySet(Map<String, CompiledPolicy> byDomain, long revision, String source) {
  private static final Logger LOG = LoggerFactory.getLogger(PolicySet.class);

  public static final PolicySet EMPTY = new PolicySet(Map.of(), -1, "none");

  public PolicySet {
    byDomain = Map.copyOf(byDomain);
  }

  public Optional<CompiledPolicy> forDomain(String domain) {
    return Optional.ofNullable(byDomain.get(domain));
  }

  /**
   * Compiles {@code policies}. The store only holds validated policies and domains are unique; a
   * policy that still fails to compile is left out and logged rather than taking every other
   * domain down with it.
   */
  public static PolicySet compile(Collection<RateLimitPolicy> policies, long revision, String source) {
    Map<String, CompiledPolicy> byDomain = new LinkedHashMap<>();
    for (RateLimitPolicy policy : policies) {
      try {
        CompiledPolicy compiled = PolicyCompiler.compile(policy);
        CompiledPolicy clash = byDomain.putIfAbsent(compiled.domain(), compiled);
        if (clash != null) {
          LOG.error("rate-limit policies {} and {} both use domain {}; enforcing {}", clash.name(), policy.name(), policy.domain(), clash.name());
        }
      } catch (RuntimeException e) {
        LOG.error("rate-limit policy {} cannot be enforced and is skipped: {}", policy.name(), e.getMessage());
      }
    }
    return new PolicySet(byDomain, revision, source);
  }
}
