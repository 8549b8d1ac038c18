package dev.embassy.auth.jwt;

/**
 * Why a token was refused. {@link #label()} is the metric reason and log field;
 * {@link #description()} goes into RFC 6750's error_description, so it names the problem and
 * never echoes token content or key material.
 */
public enum TokenProblem {
  OVERSIZED("token_oversized", "the token is too large"),
  MALFORMED("token_malformed", "the token is not a compact JWS"),
  JWE("token_encrypted", "encrypted tokens (JWE) are not accepted"),
  ALG_NONE("alg_none", "unsigned tokens (alg none) are not accepted"),
  ALG_NOT_ALLOWED("alg_not_allowed", "the token's algorithm is not allowed for its issuer"),
  FORBIDDEN_HEADER("header_forbidden", "key-carrying or key-referencing headers (jku, x5u, jwk, x5c) are not accepted"),
  UNSUPPORTED_CRIT("crit_unsupported", "the token marks a header as critical that is not understood"),
  UNKNOWN_ISSUER("issuer_unknown", "the token's issuer is not trusted for this route"),
  UNKNOWN_KID("kid_unknown", "the token's signing key is not known"),
  NO_KEYS("keys_unavailable", "the issuer's keys are not available"),
  KEY_MISMATCH("key_mismatch", "the signing key does not fit the token's algorithm"),
  BAD_SIGNATURE("signature_invalid", "the token's signature is invalid"),
  MISSING_EXP("exp_missing", "the token has no expiry (exp)"),
  BAD_TIME_CLAIM("time_claim_invalid", "a time claim (exp, nbf, iat) is not a number"),
  EXPIRED("expired", "the token has expired"),
  NOT_YET_VALID("not_yet_valid", "the token is not valid yet (nbf)"),
  ISSUED_IN_FUTURE("iat_future", "the token was issued in the future (iat)"),
  LIFETIME_TOO_LONG("lifetime_exceeded", "the token's lifetime exceeds the allowed maximum"),
  WRONG_AUDIENCE("audience_mismatch", "the token is not meant for this audience");

  private final String label;
  private final String description;

  TokenProblem(String label, String description) {
    this.label = label;
    this.description = description;
  }

  public String label() {
    return label;
  }

  public String description() {
    return description;
  }
}
