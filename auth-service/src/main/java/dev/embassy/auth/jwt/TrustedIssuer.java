package dev.embassy.auth.jwt;

import dev.embassy.auth.jwks.ProviderKeys;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * An issuer one policy trusts (a configured provider, compiled): whose keys, which algorithms,
 * which audiences, and how strict the time checks are.
 */
public record TrustedIssuer(
    String issuer, ProviderKeys keys, Set<JwsAlgorithm> algorithms, Set<String> audiences,
    Duration clockSkew, Optional<Duration> maxLifetime) {
  public TrustedIssuer {
    algorithms = Set.copyOf(algorithms);
    audiences = Set.copyOf(audiences);
  }
}
