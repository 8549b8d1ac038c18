package dev.embassy.auth.jwt;

import dev.embassy.auth.jwks.KeySet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Verifies a bearer token for one policy: header checks, issuer selection, key selection (with the
 * unknown-kid refetch), the signature, then the claim checks. The verified-token cache sits in
 * front of the signature: a hit still has to come from the same issuer keys, with the key still
 * published, and passes the claim checks of the policy at hand.
 */
public final class TokenVerifier {
  /** Tokens without kid are tried against at most this many keys that fit their algorithm. */
  private static final int MAX_KEYS_WITHOUT_KID = 4;

  private final VerifiedTokenCache cache;
  private final int maxTokenBytes;
  private final Duration kidRefetchWait;
  private final Clock clock;

  /** Whether the last call on this thread was answered from the cache; for metrics. */
  public record Outcome(VerifiedToken token, boolean cached) {}

  public TokenVerifier(VerifiedTokenCache cache, int maxTokenBytes, Duration kidRefetchWait, Clock clock) {
    this.cache = cache;
    this.maxTokenBytes = maxTokenBytes;
    this.kidRefetchWait = kidRefetchWait;
    this.clock = clock;
  }

  /** Verifies {@code token} against the issuers one policy trusts, keyed by issuer. */
  public Outcome verify(String token, Map<String, TrustedIssuer> issuers) throws TokenRejected {
    if (token.length() > maxTokenBytes) {
      throw new TokenRejected(TokenProblem.OVERSIZED);
    }
    String digest = VerifiedTokenCache.digest(token);
    Optional<VerifiedToken> cached = cache.get(digest);
    if (cached.isPresent()) {
      VerifiedToken hit = cached.get();
      TrustedIssuer issuer = issuers.get(hit.issuer());
      // Same issuer *and* the same key source as when it was verified, and the key not rotated
      // out since: otherwise fall through and verify afresh.
      if (issuer != null && issuer.keys() == hit.keys() && issuer.keys().current().holds(hit.key())
          && issuer.algorithms().stream().anyMatch(a -> a.fits(hit.key()))) {
        ClaimChecks.check(hit.claims(), issuer, clock.instant());
        return new Outcome(hit, true);
      }
    }
    CompactJws jws = CompactJws.parse(token, maxTokenBytes);
    TrustedIssuer issuer = jws.issuer().map(issuers::get).orElseThrow(() -> new TokenRejected(TokenProblem.UNKNOWN_ISSUER));
    if (!issuer.algorithms().contains(jws.algorithm())) {
      throw new TokenRejected(TokenProblem.ALG_NOT_ALLOWED);
    }
    VerificationKey key = verifyWithKeys(jws, issuer);
    Instant expiresAt = ClaimChecks.expiry(jws.claims()).orElse(Instant.EPOCH);
    VerifiedToken verified = new VerifiedToken(issuer.issuer(), jws.claims(), issuer.keys(), key, expiresAt);
    if (expiresAt.isAfter(clock.instant())) {
      cache.put(digest, verified);
    }
    ClaimChecks.check(jws.claims(), issuer, clock.instant());
    return new Outcome(verified, false);
  }

  private VerificationKey verifyWithKeys(CompactJws jws, TrustedIssuer issuer) throws TokenRejected {
    KeySet keys = issuer.keys().current();
    if (jws.kid().isPresent()) {
      String kid = jws.kid().get();
      Optional<VerificationKey> key = keys.byKid(kid);
      if (key.isEmpty()) {
        // Rotation: the IdP may have published the key after our last fetch. Wait briefly for the
        // shared, rate-limited refetch; fail closed if the kid is still unknown.
        key = awaitRefetch(issuer).byKid(kid);
      }
      VerificationKey found = key.orElseThrow(() -> new TokenRejected(TokenProblem.UNKNOWN_KID));
      if (!jws.algorithm().fits(found)) {
        throw new TokenRejected(TokenProblem.KEY_MISMATCH);
      }
      if (!jws.algorithm().verify(jws.signature(), found.key(), jws.signingInput())) {
        throw new TokenRejected(TokenProblem.BAD_SIGNATURE);
      }
      return found;
    }
    if (keys.isEmpty()) {
      keys = awaitRefetch(issuer);
      if (keys.isEmpty()) {
        throw new TokenRejected(TokenProblem.NO_KEYS);
      }
    }
    List<VerificationKey> candidates = new ArrayList<>();
    for (VerificationKey key : keys.all()) {
      if (jws.algorithm().fits(key) && candidates.size() < MAX_KEYS_WITHOUT_KID) {
        candidates.add(key);
      }
    }
    if (candidates.isEmpty()) {
      throw new TokenRejected(TokenProblem.KEY_MISMATCH);
    }
    for (VerificationKey key : candidates) {
      if (jws.algorithm().verify(jws.signature(), key.key(), jws.signingInput())) {
        return key;
      }
    }
    throw new TokenRejected(TokenProblem.BAD_SIGNATURE);
  }

  private KeySet awaitRefetch(TrustedIssuer issuer) {
    try {
      return issuer.keys().refetchForUnknownKid().get(kidRefetchWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return issuer.keys().current();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return issuer.keys().current();
    }
  }
}
