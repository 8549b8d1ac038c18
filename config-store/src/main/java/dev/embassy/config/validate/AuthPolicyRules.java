package dev.embassy.config.validate;

import dev.embassy.config.model.AuthPolicy;
import dev.embassy.config.model.AuthPolicy.ApiKey;
import dev.embassy.config.model.AuthPolicy.ApiKeys;
import dev.embassy.config.model.AuthPolicy.ClaimOperator;
import dev.embassy.config.model.AuthPolicy.ClaimRule;
import dev.embassy.config.model.AuthPolicy.JwtProvider;
import java.time.Duration;
import java.util.Set;

final class AuthPolicyRules {
  /**
   * Asymmetric algorithms only. "none" and the HMAC family are refused outright: a verifier that
   * accepts HS256 with a public key as the secret is the classic RS/HS confusion (RFC 8725 §2.1).
   */
  private static final Set<String> ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");

  private static final java.util.regex.Pattern SHA256_HEX = java.util.regex.Pattern.compile("[0-9a-f]{64}");

  private AuthPolicyRules() {}

  static void check(AuthPolicy policy, Violations v) {
    boolean apiKeys = policy.apiKeys().map(k -> !k.keys().isEmpty()).orElse(false);
    if (policy.providers().isEmpty() && !apiKeys) {
      v.add("providers", "is required unless apiKeys lists at least one key");
    }
    Checks.maxSize(v, "providers", policy.providers(), 16);
    Checks.unique(v, "providers", policy.providers(), JwtProvider::name, "duplicate provider name");
    Checks.unique(v, "providers", policy.providers(), JwtProvider::issuer, "two providers for issuer");
    for (int i = 0; i < policy.providers().size(); i++) {
      provider(policy.providers().get(i), v.at("providers", i));
    }
    Violations requirements = v.at("requirements");
    Checks.maxSize(requirements, "scopes", policy.requirements().scopes(), 64);
    scopes(policy.requirements().scopes(), requirements);
    Checks.maxSize(requirements, "claims", policy.requirements().claims(), 64);
    for (int i = 0; i < policy.requirements().claims().size(); i++) {
      claimRule(policy.requirements().claims().get(i), requirements.at("claims", i));
    }
    policy.tokenSource().ifPresent(source -> {
      Violations at = v.at("tokenSource");
      int set = (source.header().isPresent() ? 1 : 0) + (source.cookie().isPresent() ? 1 : 0) + (source.queryParam().isPresent() ? 1 : 0);
      if (set != 1) {
        at.here("needs exactly one of header, cookie and queryParam");
      }
      source.header().ifPresent(h -> Checks.headerName(at, "header", h));
      source.cookie().ifPresent(c -> Checks.token(at, "cookie", c));
      source.queryParam().ifPresent(q -> Checks.token(at, "queryParam", q));
    });
    Checks.maxSize(v, "forwardClaims", policy.forwardClaims(), 32);
    Checks.unique(v, "forwardClaims", policy.forwardClaims(), c -> c.header() == null ? null : c.header().toLowerCase(java.util.Locale.ROOT), "header set twice:");
    for (int i = 0; i < policy.forwardClaims().size(); i++) {
      Violations at = v.at("forwardClaims", i);
      Checks.required(at, "claim", policy.forwardClaims().get(i).claim());
      Checks.modifiableHeaderName(at, "header", policy.forwardClaims().get(i).header());
    }
    policy.apiKeys().ifPresent(keys -> apiKeys(keys, v.at("apiKeys")));
  }

  private static void apiKeys(ApiKeys keys, Violations v) {
    Checks.headerName(v, "header", keys.header());
    if (keys.header() != null && (keys.header().startsWith(":") || keys.header().equalsIgnoreCase("authorization"))) {
      v.add("header", "API keys cannot be read from a pseudo-header or Authorization (that is where tokens go)");
    }
    Checks.maxSize(v, "keys", keys.keys(), 1024);
    Checks.unique(v, "keys", keys.keys(), ApiKey::name, "duplicate key name");
    Checks.unique(v, "keys", keys.keys(), ApiKey::sha256, "the same key twice:");
    for (int i = 0; i < keys.keys().size(); i++) {
      ApiKey key = keys.keys().get(i);
      Violations at = v.at("keys", i);
      Checks.name(at, "name", key.name());
      if (Checks.required(at, "sha256", key.sha256()) && !SHA256_HEX.matcher(key.sha256()).matches()) {
        at.add("sha256", "must be the key's SHA-256 as 64 lowercase hex digits (printf %s KEY | sha256sum); the key itself is never stored");
      }
      Checks.maxSize(at, "scopes", key.scopes(), 64);
      scopes(key.scopes(), at);
    }
  }

  private static void scopes(java.util.List<String> scopes, Violations v) {
    for (int i = 0; i < scopes.size(); i++) {
      String scope = scopes.get(i);
      if (scope == null || scope.isEmpty() || scope.length() > 256 || scope.chars().anyMatch(c -> c <= 0x20 || c == '"' || c == '\\' || c > 0x7e)) {
        v.at("scopes").add(Integer.toString(i), "scopes are 1-256 printable ASCII characters without spaces, quotes or backslashes (RFC 6749 §3.3)");
      }
    }
  }

  private static void provider(JwtProvider provider, Violations v) {
    Checks.name(v, "name", provider.name());
    if (Checks.required(v, "issuer", provider.issuer()) && provider.issuer().length() > 1024) {
      v.add("issuer", "at most 1024 characters");
    }
    if (provider.discoveryUrl().isPresent() == provider.jwksUri().isPresent()) {
      v.here("needs exactly one of discoveryUrl and jwksUri");
    }
    provider.discoveryUrl().ifPresent(url -> Checks.fetchUrl(v, "discoveryUrl", url));
    provider.jwksUri().ifPresent(url -> Checks.fetchUrl(v, "jwksUri", url));
    // RFC 8725 §3.9: without an audience check a token minted for another service is accepted.
    if (Checks.required(v, "audiences", provider.audiences())) {
      Checks.maxSize(v, "audiences", provider.audiences(), 16);
    }
    for (int i = 0; i < provider.algorithms().size(); i++) {
      if (!ALGORITHMS.contains(provider.algorithms().get(i))) {
        v.at("algorithms").add(Integer.toString(i), "must be one of " + ALGORITHMS.stream().sorted().toList() + " (none and HMAC are refused)");
      }
    }
    Checks.duration(v, "clockSkew", provider.clockSkew(), Duration.ofMinutes(5));
    provider.maxLifetime().ifPresent(max -> Checks.duration(v, "maxLifetime", max, Duration.ofDays(30)));
  }

  private static void claimRule(ClaimRule rule, Violations v) {
    Checks.required(v, "claim", rule.claim());
    if (!Checks.required(v, "op", rule.op()) || !Checks.required(v, "values", rule.values())) {
      return;
    }
    if (rule.op() != ClaimOperator.oneOf && rule.values().size() != 1) {
      v.add("values", rule.op() + " takes exactly one value");
    }
    if (rule.op() == ClaimOperator.regex) {
      Checks.regex(v.at("values"), "0", rule.values().getFirst());
    }
  }
}
