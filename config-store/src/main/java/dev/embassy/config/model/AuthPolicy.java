package dev.embassy.config.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may call a route: a JWT from one of {@code providers} (or, when configured, an API key),
 * meeting {@code requirements}. Enforced by auth-service through Envoy's ext_authz filter.
 */
public record AuthPolicy(
    String name,
    Map<String, String> labels,
    List<JwtProvider> providers,
    Requirements requirements,
    Optional<TokenSource> tokenSource,
    List<ClaimHeader> forwardClaims,
    Boolean stripAuthorization,
    Boolean dryRun,
    Optional<ApiKeys> apiKeys)
    implements ConfigResource {
  public AuthPolicy {
    labels = Absent.map(labels);
    providers = Absent.list(providers);
    requirements = Absent.or(requirements, new Requirements(null, null, null));
    tokenSource = Absent.optional(tokenSource);
    forwardClaims = Absent.list(forwardClaims);
    stripAuthorization = Absent.or(stripAuthorization, false);
    dryRun = Absent.or(dryRun, false);
    apiKeys = Absent.optional(apiKeys);
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

  /**
   * API keys accepted instead of a JWT, read from {@code header}. Only each key's SHA-256 is
   * stored (lowercase hex), so neither the database nor a config dump holds a usable key. A key
   * authenticates as subject {@code name} with {@code scopes}; the policy's requirements then apply
   * to it as to a token.
   */
  public record ApiKeys(String header, List<ApiKey> keys) {
    public ApiKeys {
      header = Absent.or(header, "x-api-key");
      keys = Absent.list(keys);
    }
  }

  public record ApiKey(String name, String sha256, List<String> scopes) {
    public ApiKey {
      scopes = Absent.list(scopes);
    }
  }
}
