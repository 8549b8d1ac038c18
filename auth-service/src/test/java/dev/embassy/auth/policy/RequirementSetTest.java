package dev.embassy.auth.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequirementSetTest {
  private static Identity token(Map<String, Object> claims) {
    return new Identity(Identity.Kind.TOKEN, claims);
  }

  @Test
  void scopesComeFromScopeOrScpAndMatchWholeWords() {
    Requirement read = new Requirement.Scope("orders:read");
    assertThat(read.holds(token(Map.of("scope", "profile orders:read")))).isTrue();
    assertThat(read.holds(token(Map.of("scp", List.of("orders:read"))))).isTrue();
    assertThat(read.holds(token(Map.of("scp", "orders:read")))).isTrue();
    assertThat(read.holds(token(Map.of("scope", "orders:readwrite")))).isFalse();
    assertThat(read.holds(token(Map.of("scope", "orders:write", "scp", List.of("orders:read"))))).as("scope wins over scp").isFalse();
    assertThat(read.holds(token(Map.of()))).isFalse();
  }

  @Test
  void claimRules() {
    Identity id = token(Map.of("tenant", "acme", "groups", List.of("admins", "ops"), "level", 3, "verified", true,
        "realm_access", Map.of("roles", List.of("reader"))));
    assertThat(new Requirement.ClaimEquals("tenant", "acme").holds(id)).isTrue();
    assertThat(new Requirement.ClaimEquals("level", "3").holds(id)).isTrue();
    assertThat(new Requirement.ClaimEquals("verified", "true").holds(id)).isTrue();
    assertThat(new Requirement.ClaimEquals("groups", "admins ops").holds(id)).as("arrays never equal").isFalse();
    assertThat(new Requirement.ClaimContains("groups", "ops").holds(id)).isTrue();
    assertThat(new Requirement.ClaimContains("groups", "op").holds(id)).isFalse();
    assertThat(new Requirement.ClaimContains("realm_access.roles", "reader").holds(id)).as("dotted path").isTrue();
    assertThat(new Requirement.ClaimOneOf("tenant", Set.of("acme", "globex")).holds(id)).isTrue();
    assertThat(new Requirement.ClaimOneOf("tenant", Set.of("globex")).holds(id)).isFalse();
    assertThat(new Requirement.ClaimMatches("tenant", Pattern.compile("ac.*")).holds(id)).isTrue();
    assertThat(new Requirement.ClaimMatches("tenant", Pattern.compile("cm")).holds(id)).as("whole value").isFalse();
    assertThat(new Requirement.ClaimEquals("missing", "x").holds(id)).isFalse();
  }

  @Test
  void allNeedsEveryRequirementAnyNeedsOne() {
    List<Requirement> rules = List.of(new Requirement.Scope("a"), new Requirement.ClaimEquals("tenant", "acme"));
    Identity onlyTenant = token(Map.of("tenant", "acme"));
    assertThat(new RequirementSet(true, rules).evaluate(onlyTenant)).hasValueSatisfying(s -> assertThat(s.requiredScopes()).containsExactly("a"));
    assertThat(new RequirementSet(false, rules).evaluate(onlyTenant)).isEmpty();
    assertThat(new RequirementSet(false, rules).evaluate(token(Map.of()))).isPresent();
    assertThat(new RequirementSet(true, List.of()).evaluate(token(Map.of()))).as("no requirements: any valid credential").isEmpty();
  }
}
