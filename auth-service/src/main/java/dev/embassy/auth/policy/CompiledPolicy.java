package dev.embassy.auth.policy;

import dev.embassy.auth.jwt.TrustedIssuer;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An auth policy ready to evaluate: issuers by name with their keys, requirements compiled
 * (regexes included), headers lowercased.
 *
 * @param forwardClaims claim → request header, in config order
 */
public record CompiledPolicy(
    String name, Map<String, TrustedIssuer> issuers, RequirementSet requirements, TokenSource tokenSource,
    List<ForwardedClaim> forwardClaims, boolean stripAuthorization, boolean dryRun, Optional<ApiKeyTable> apiKeys) {
  public CompiledPolicy {
    issuers = Map.copyOf(issuers);
    forwardClaims = List.copyOf(forwardClaims);
  }

  /** A claim copied into a request header (lowercase), replacing whatever the client sent. */
  public record ForwardedClaim(String claim, String header) {}
}
