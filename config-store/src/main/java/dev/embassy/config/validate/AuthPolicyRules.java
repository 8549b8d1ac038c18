package dev.embassy.config.validate;

import dev.embassy.config.model.AuthPolicy;
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

  private AuthPolicyRules() {}

  static void check(AuthPolicy policy, Violations v) {
    if (Checks.required(v, "providers", policy.providers())) {
      Checks.maxSize(v, "providers", policy.providers(), 16);
    }
    Checks.unique(v, "providers", policy.providers(), JwtProvider::name, "duplicate provider name");
    Checks.unique(v, "providers", policy.providers(), JwtProvider::issuer, "two providers for issuer");
    for (int i = 0; i < policy.providers().size(); i++) {
      provider(policy.providers().get(i), v.at("providers", i));
    }
    Violations requirements = v.at("requirements");
    Checks.maxSize(requirements, "scopes", policy.requirements().scopes(), 64);
    for (int i = 0; i < policy.requirements().scopes().size(); i++) {
      String scope = policy.requirements().scopes().get(i);
      if (scope.isEmpty() || scope.length() > 256 || scope.chars().anyMatch(c -> c <= 0x20 || c == '"' || c == '\\' || c > 0x7e)) {
        requirements.at("scopes").add(Integer.toString(i), "scopes are 1-256 printable ASCII characters without spaces, quotes or backslashes (RFC 6749 §3.3)");
      }
    }
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
