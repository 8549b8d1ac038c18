package dev.embassy.config.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may call a route: a JWT from one of {@code providers}, meeting {@code requirements}.
 * Enforced by auth-service through Envoy's ext_authz filter.
 */
public record AuthPolicy(
    String name,
    Map<String, String> labels,
    List<JwtProvider> providers,
    Requirements requirements,
    Optional<TokenSource> tokenSource,
    List<ClaimHeader> forwardClaims,
    Boolean stripAuthorization,
    Boolean dryRun)
    implements ConfigResource {
  public AuthPolicy {
    labels = Absent.map(labels);
    providers = Absent.list(providers);
    requirements = Absent.or(requirements, new Requirements(null, null, null));
    tokenSource = Absent.optional(tokenSource);
    forwardClaims = Absent.list(forwardClaims);
    stripAuthorization = Absent.or(stripAuthorization, false);
    dryRun = Absent.or(dryRun, false);
  }

  @Override
  public ResourceKind kind() {
    return ResourceKind.AUTH_POLICY;
  }

  @Override
  public List<Reference> references() {
    return List.of();
  }

  /** An issuer whose keys come from OIDC discovery or a JWKS URI (exactly one). */
  public record JwtProvider(
      String name,
      String issuer,
      Optional<String> discoveryUrl,
      Optional<String> jwksUri,
      List<String> audiences,
      List<String> algorithms,
      String clockSkew,
      Optional<String> maxLifetime) {
    public JwtProvider {
      discoveryUrl = Absent.optional(discoveryUrl);
      jwksUri = Absent.optional(jwksUri);
      audiences = Absent.list(audiences);
      algorithms = algorithms == null || algorithms.isEmpty() ? List.of("RS256") : List.copyOf(algorithms);
      clockSkew = Absent.or(clockSkew, "60s");
      maxLifetime = Absent.optional(maxLifetime);
    }
  }

  public enum Mode { all, any }

  /** Scopes and claim rules; {@code mode} says whether all of them or any one must hold. */
  public record Requirements(Mode mode, List<String> scopes, List<ClaimRule> claims) {
    public Requirements {
      mode = Absent.or(mode, Mode.all);
      scopes = Absent.list(scopes);
      claims = Absent.list(claims);
    }
  }

  public enum ClaimOperator { equals, contains, oneOf, regex }

  public record ClaimRule(String claim, ClaimOperator op, List<String> values) {
    public ClaimRule {
      values = Absent.list(values);
    }
  }

  /** Where the token is read from; the Authorization: Bearer header unless one is given. */
  public record TokenSource(Optional<String> header, Optional<String> cookie, Optional<String> queryParam) {
    public TokenSource {
      header = Absent.optional(header);
      cookie = Absent.optional(cookie);
      queryParam = Absent.optional(queryParam);
    }
  }

  /** Copies a verified claim into a request header, replacing any the client sent. */
  public record ClaimHeader(String claim, String header) {}
}
