package dev.embassy.ratelimit.config;

import java.util.concurrent.atomic.AtomicBoolean;

/** The policy set requests are answered from; swapped whole when the config changes. */
public final class ActivePolicies {
  private volatile PolicySet current = PolicySet.EMPTY;
  private final AtomicBoolean loaded = new AtomicBoolean();

  public PolicySet current() {
    return current;
  }

  public void replace(PolicySet policies) {
    current = policies;
    loaded.set(true);
  }

  /** Whether a policy set was loaded at least once (the service is ready only then). */
  public boolean loaded() {
    return loaded.get();
  }
}
