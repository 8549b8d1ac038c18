package dev.embassy.auth.policy;

import java.util.List;
import java.util.Optional;

/**
 * A policy's requirements with their combinator: {@code all} must hold, or {@code any} one of
 * them (an empty list is always met: a policy may only want a valid token).
 */
public record RequirementSet(boolean all, List<Requirement> requirements) {
  public RequirementSet {
    requirements = List.copyOf(requirements);
  }

  /** Why an identity falls short: the scopes it would need (for RFC 6750's scope attribute). */
  public record Shortfall(List<String> requiredScopes) {}

  public Optional<Shortfall> evaluate(Identity identity) {
    if (requirements.isEmpty()) {
      return Optional.empty();
    }
    boolean met = all
        ? requirements.stream().allMatch(r -> r.holds(identity))
        : requirements.stream().anyMatch(r -> r.holds(identity));
    if (met) {
      return Optional.empty();
    }
    return Optional.of(new Shortfall(requirements.stream()
        .filter(r -> r instanceof Requirement.Scope).map(r -> ((Requirement.Scope) r).scope()).toList()));
  }
}
