package dev.embassy.auth.jwt;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registered-claim checks of RFC 7519 §4.1 as RFC 8725 wants them: exp required, nbf and iat
 * within the issuer's clock skew, an optional maximum lifetime, and an audience this issuer's
 * provider accepts (RFC 8725 §3.9).
 */
public final class ClaimChecks {
  private ClaimChecks() {}

  public static void check(Map<String, Object> claims, TrustedIssuer issuer, Instant now) throws TokenRejected {
    long skew = issuer.clockSkew().toMillis();
    long nowMillis = now.toEpochMilli();
    long exp = epochMillis(claims, "exp").orElseThrow(() -> new TokenRejected(TokenProblem.MISSING_EXP));
    if (nowMillis > exp + skew) {
      throw new TokenRejected(TokenProblem.EXPIRED);
    }
    Optional<Long> nbf = epochMillis(claims, "nbf");
    if (nbf.isPresent() && nowMillis + skew < nbf.get()) {
      throw new TokenRejected(TokenProblem.NOT_YET_VALID);
    }
    Optional<Long> iat = epochMillis(claims, "iat");
    if (iat.isPresent() && iat.get() > nowMillis + skew) {
      throw new TokenRejected(TokenProblem.ISSUED_IN_FUTURE);
    }
    if (issuer.maxLifetime().isPresent()) {
      // Without iat or nbf the lifetime is unknowable; count it from now, which still bounds how
      // long a stolen token can be replayed.
      long start = iat.or(() -> nbf).orElse(nowMillis);
      if (exp - start > issuer.maxLifetime().get().toMillis()) {
        throw new TokenRejected(TokenProblem.LIFETIME_TOO_LONG);
      }
    }
    if (!audienceMatches(claims.get("aud"), issuer)) {
      throw new TokenRejected(TokenProblem.WRONG_AUDIENCE);
    }
  }

  /** The expiry, if the token has a numeric one. */
  public static Optional<Instant> expiry(Map<String, Object> claims) {
    try {
      return epochMillis(claims, "exp").map(Instant::ofEpochMilli);
    } catch (TokenRejected e) {
      return Optional.empty();
    }
  }

  private static boolean audienceMatches(Object aud, TrustedIssuer issuer) {
    if (aud instanceof String single) {
      return issuer.audiences().contains(single);
    }
    if (aud instanceof List<?> list) {
      return list.stream().anyMatch(a -> a instanceof String s && issuer.audiences().contains(s));
    }
    return false;
  }

  /** A NumericDate (RFC 7519 §2: seconds, possibly fractional) in epoch millis. */
  private static Optional<Long> epochMillis(Map<String, Object> claims, String name) throws TokenRejected {
    Object value = claims.get(name);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof Number number)) {
      throw new TokenRejected(TokenProblem.BAD_TIME_CLAIM);
    }
    double seconds = number.doubleValue();
    // Beyond ±10^11 s (year 5138) the value is nonsense, and millis would overflow near 9.2e15 s.
    if (!Double.isFinite(seconds) || Math.abs(seconds) > 1e11) {
      throw new TokenRejected(TokenProblem.BAD_TIME_CLAIM);
    }
    return Optional.of((long) (seconds * 1000));
  }
}
