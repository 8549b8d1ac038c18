package dev.embassy.auth.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.auth.jwt.TokenVerifier;
import dev.embassy.auth.jwt.VerifiedTokenCache;
import dev.embassy.auth.policy.ApiKeyTable;
import dev.embassy.auth.policy.CompiledPolicy;
import dev.embassy.auth.policy.PolicySet;
import dev.embassy.auth.policy.Requirement;
import dev.embassy.auth.policy.RequirementSet;
import dev.embassy.auth.policy.TokenSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The evaluator's decisions for API-key policies (no keys to fetch, so no I/O). */
class CheckEvaluatorTest {
  private static final String KEY = "k-0123456789abcdef";

  private static CheckEvaluator evaluator(boolean dryRun, boolean strip) {
    CompiledPolicy policy = new CompiledPolicy("svc", Map.of(),
        new RequirementSet(true, List.of(new Requirement.Scope("orders:read"))), new TokenSource.BearerHeader(),
        List.of(new CompiledPolicy.ForwardedClaim("sub", "x-user-id"), new CompiledPolicy.ForwardedClaim("scope", "x-user-scopes"),
            new CompiledPolicy.ForwardedClaim("email", "x-user-email")),
        strip, dryRun,
        Optional.of(new ApiKeyTable("X-Api-Key", Map.of(HostileTokenCorpusIT.sha256(KEY), new ApiKeyTable.KeyGrant("billing", List.of("orders:read")),
            HostileTokenCorpusIT.sha256("weak-key-0123456789"), new ApiKeyTable.KeyGrant("weak", List.of())))));
    PolicySet set = new PolicySet(3, Map.of("svc", policy));
    return new CheckEvaluator(() -> set, new TokenVerifier(new VerifiedTokenCache(10, Clock.systemUTC()), 8192, Duration.ZERO, Runnable::run, Clock.systemUTC()), hit -> {});
  }

  private static CheckInput request(Map<String, String> headers) {
    return new CheckInput(Map.of("embassy.policy", "svc"), headers, "/orders");
  }

  @Test
  void apiKeyAuthenticatesAsItsNameWithItsScopes() {
    Decision decision = evaluator(false, true).check(request(Map.of("x-api-key", KEY, "x-user-email", "spoof@example.com"))).join();
    assertThat(decision).isInstanceOfSatisfying(Decision.Allow.class, allow -> {
      assertThat(allow.setHeaders()).containsEntry("x-user-id", "billing").containsEntry("x-user-scopes", "orders:read");
      assertThat(allow.removeHeaders()).as("stripped: the key's header too").containsExactly("x-user-email", "authorization", "x-api-key");
      assertThat(allow.metadata()).containsEntry("sub", "billing").containsEntry("scope", "orders:read");
      assertThat(allow.reason()).isEqualTo("api_key");
    });
  }

  @Test
  void dryRunAllowsWhatItWouldDenyButStillRemovesIdentityHeaders() {
    Decision decision = evaluator(true, false).check(request(Map.of("x-user-id", "admin"))).join();
    assertThat(decision).isInstanceOfSatisfying(Decision.Allow.class, allow -> {
      assertThat(allow.dryRunDenial()).hasValueSatisfying(deny -> assertThat(deny.status()).isEqualTo(401));
      assertThat(allow.setHeaders()).isEmpty();
      assertThat(allow.removeHeaders()).contains("x-user-id", "x-user-scopes", "x-user-email");
    });
    assertThat(evaluator(true, false).check(request(Map.of("x-api-key", "weak-key-0123456789"))).join())
        .isInstanceOfSatisfying(Decision.Allow.class, allow -> assertThat(allow.dryRunDenial()).hasValueSatisfying(d -> assertThat(d.status()).isEqualTo(403)));
  }

  @Test
  void warmupChecksAreDeniedWithoutTouchingPolicies() {
    Decision decision = evaluator(false, false).check(new CheckInput(Map.of("embassy.warmup", "true"), Map.of("authorization", "Bearer a.b.c"), "/")).join();
    assertThat(decision).isInstanceOfSatisfying(Decision.Deny.class, deny -> assertThat(deny.reason()).isEqualTo("warmup"));
  }
}
