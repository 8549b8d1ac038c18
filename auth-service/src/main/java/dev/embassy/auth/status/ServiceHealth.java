package dev.embassy.auth.status;

import dev.embassy.auth.jwks.ProviderKeys;
import dev.embassy.status.StatusReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Health and readiness from what the service knows about itself. Healthy means serving; degraded
 * (still 200) lists what is failing: the store, a JWKS endpoint, a policy that did not compile.
 * Ready means policies are loaded and every provider has keys or has had its first fetch fail
 * (a dead IdP must not keep the service, and every other policy, out of rotation forever).
 */
public final class ServiceHealth {
  /** One look at the service's state. */
  public record Report(boolean ready, List<String> problems, long policyRevision) {
    public boolean degraded() {
      return !problems.isEmpty();
    }

    /** What the status port answers. */
    public StatusReport status() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", degraded() ? "degraded" : "ok");
      body.put("ready", ready);
      body.put("policyRevision", policyRevision);
      body.put("problems", problems);
      return new StatusReport(ready, body);
    }
  }

  private final BooleanSupplier storeReachable;
  private final Supplier<Long> policyRevision;
  private final Supplier<List<ProviderKeys.State>> providers;
  private final Supplier<java.util.Set<String>> rejectedPolicies;

  public ServiceHealth(BooleanSupplier storeReachable, Supplier<Long> policyRevision,
      Supplier<List<ProviderKeys.State>> providers, Supplier<java.util.Set<String>> rejectedPolicies) {
    this.storeReachable = storeReachable;
    this.policyRevision = policyRevision;
    this.providers = providers;
    this.rejectedPolicies = rejectedPolicies;
  }

  public Report report() {
    List<String> problems = new ArrayList<>();
    if (!storeReachable.getAsBoolean()) {
      problems.add("config store unreachable; serving the last loaded policies");
    }
    boolean keysSettled = true;
    for (ProviderKeys.State state : providers.get()) {
      keysSettled &= state.attempted();
      state.lastError().ifPresent(error -> problems.add("keys of " + state.source().issuer() + ": " + error
          + (state.hasKeys() ? " (using cached keys)" : " (no keys)")));
    }
    rejectedPolicies.get().stream().sorted().forEach(name -> problems.add("policy " + name + " could not be compiled; its routes are denied"));
    long revision = policyRevision.get();
    return new Report(revision >= 0 && keysSettled, problems, revision);
  }
}
