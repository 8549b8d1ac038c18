package dev.embassy.auth.policy;

import java.util.Map;
import java.util.Optional;

/** The compiled policies of one config revision, by name. Replaced whole on each revision. */
public record PolicySet(long revision, Map<String, CompiledPolicy> byName) {
  public static final PolicySet NONE = new PolicySet(-1, Map.of());

  public PolicySet {
    byName = Map.copyOf(byName);
  }

  public Optional<CompiledPolicy> named(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public boolean loaded() {
    return revision >= 0;
  }
}
