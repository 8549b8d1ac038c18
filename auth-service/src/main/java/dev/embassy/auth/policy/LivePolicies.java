package dev.embassy.auth.policy;

import dev.embassy.auth.jwks.JwksRegistry;
import dev.embassy.config.model.AuthPolicy;
import dev.embassy.config.store.ConfigSnapshot;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policies in force, replaced whole whenever the config follower hands over a new revision.
 * A policy that does not compile is left out (its routes then fail closed) and logged; the
 * others still update. Key sources no policy uses any more stop refreshing.
 */
public final class LivePolicies implements Consumer<ConfigSnapshot> {
  private static final Logger LOG = LoggerFactory.getLogger(LivePolicies.class);

  private final PolicyCompiler compiler;
  private final JwksRegistry registry;
  private final AtomicReference<PolicySet> current = new AtomicReference<>(PolicySet.NONE);
  private volatile Set<String> rejected = Set.of();

  public LivePolicies(JwksRegistry registry) {
    this.registry = registry;
    this.compiler = new PolicyCompiler(registry);
  }

  public PolicySet current() {
    return current.get();
  }

  /** Names of policies the current revision holds but that could not be compiled. */
  public Set<String> rejected() {
    return rejected;
  }

  @Override
  public void accept(ConfigSnapshot snapshot) {
    Map<String, CompiledPolicy> compiled = new HashMap<>();
    Set<String> failed = new HashSet<>();
    Set<dev.embassy.auth.jwks.KeySource> sources = new HashSet<>();
    for (AuthPolicy policy : snapshot.document().authPolicies()) {
      try {
        CompiledPolicy p = compiler.compile(policy);
        compiled.put(p.name(), p);
        policy.providers().forEach(provider -> sources.add(PolicyCompiler.keySource(provider)));
      } catch (RuntimeException e) {
        failed.add(policy.name());
        LOG.atError().addKeyValue("policy", policy.name()).addKeyValue("revision", snapshot.revision())
            .log("policy cannot be used, its routes are denied: {}", e.getMessage());
      }
    }
    current.set(new PolicySet(snapshot.revision(), compiled));
    rejected = Set.copyOf(failed);
    registry.retain(sources);
    LOG.atInfo().addKeyValue("revision", snapshot.revision()).addKeyValue("policies", compiled.size()).log("policies loaded");
  }
}
