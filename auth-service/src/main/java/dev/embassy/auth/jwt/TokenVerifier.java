package dev.embassy.auth.jwt;

import dev.embassy.auth.jwks.KeySet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Verifies a bearer token for one policy: header checks, issuer selection, key selection (with the
 * unknown-kid refetch), the signature, then the claim checks. The verified-token cache sits in
 * front of the signature: a hit still has to come from the same issuer keys, with the key still
 * published, and passes the claim checks of the policy at hand.
 *
 * <p>Never blocks the calling thread, which is a gRPC Netty event loop (see AuthGrpcServer): the
 * result is complete on return except when the token names a kid the issuer's keys lack (or has no
 * kid and the issuer no keys yet) and the shared refetch is still running. Then it completes when
 * that refetch does or after kidRefetchWait, whichever comes first, and the rest of the
 * verification runs on {@code afterRefetch}.
 */
public final class TokenVerifier {
  /** Tokens without kid are tried against at most this many keys that fit their algorithm. */
  private static final int MAX_KEYS_WITHOUT_KID = 4;

  private final VerifiedTokenCache cache;
  private final int maxTokenBytes;
  private final Duration kidRefetchWait;
  private final Executor afterRefetch;
  private final Clock clock;

  /** The verified token and whether it was answered from the cache (for metrics). */
  public record Outcome(VerifiedToken token, boolean cached) {}

  /**
   * @param afterRefetch runs what is left of a verification that waited for a refetch: neither the
   *     fetch thread nor the JDK's timeout thread (which all timeouts share) should do signature
   *     checks, and the event loop that read the Check must not wait for them
   */
  public TokenVerifier(VerifiedTokenCache cache, int maxTokenBytes, Duration kidRefetchWait, Executor afterRefetch, Clock clock) {
    this.cache = cache;
    this.maxTokenBytes = maxTokenBytes;
    this.kidRefetchWait = kidRefetchWait;
    this.afterRefetch = afterRefetch;
    this.clock = clock;
  }

  /**
   * Verifies {@code token} against the issuers one policy trusts, keyed by issuer. Fails with
   * {@link TokenRejected} (wrapped in a CompletionException if it waited) when the token is refused.
   */
  public CompletableFuture<Outcome> verify(String token, Map<String, TrustedIssuer> issuers) {
    try {
      return verifyNowOrAfterRefetch(token, issuers);
    } catch (TokenRejected e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<Outcome> verifyNowOrAfterRefetch(String token, Map<String, TrustedIssuer> issuers) throws TokenRejected {
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
        return CompletableFuture.completedFuture(new Outcome(hit, true));
      }
    }
    CompactJws jws = CompactJws.parse(token, maxTokenBytes);
    TrustedIssuer issuer = jws.issuer().map(issuers::get).orElseThrow(() -> new TokenRejected(TokenProblem.UNKNOWN_ISSUER));
    if (!issuer.algorithms().contains(jws.algorithm())) {
      throw new TokenRejected(TokenProblem.ALG_NOT_ALLOWED);
    }
    KeySet keys = issuer.keys().current();
    if (!lacksKey(jws, keys)) {
      return CompletableFuture.completedFuture(verified(digest, jws, issuer, keys));
    }
    // Rotation: the IdP may have published the key after our last fetch. Wait briefly for the
    // shared, rate-limited refetch; fail closed if the kid is still unknown after it.
    CompletableFuture<KeySet> refetch = issuer.keys().refetchForUnknownKid();
    if (refetch.isDone() || kidRefetchWait.isZero()) {
      // Rate-limited (the current keys, at once) or not waiting at all: nothing to wait for.
      return CompletableFuture.completedFuture(verified(digest, jws, issuer, settled(refetch, issuer)));
    }
    // copy(): the timeout must end this Check's wait only, not the fetch every caller shares.
    return refetch.copy().orTimeout(kidRefetchWait.toNanos(), TimeUnit.NANOSECONDS)
        .handleAsync((fetched, timedOut) -> {
          try {
            return verified(digest, jws, issuer, timedOut == null ? fetched : issuer.keys().current());
          } catch (TokenRejected e) {
            throw new CompletionException(e);
          }
        }, afterRefetch);
  }

  /** Whether only a refetch could supply the key: a kid we lack, or no kid and no keys at all. */
  private static boolean lacksKey(CompactJws jws, KeySet keys) {
    return jws.kid().isPresent() ? keys.byKid(jws.kid().get()).isEmpty() : keys.isEmpty();
  }

  private static KeySet settled(CompletableFuture<KeySet> refetch, TrustedIssuer issuer) {
    return refetch.isDone() && !refetch.isCompletedExceptionally() ? refetch.join() : issuer.keys().current();
  }

  /** Checks the signature with {@code keys}, caches the token, then applies the claim checks. */
  private Outcome verified(String digest, CompactJws jws, TrustedIssuer issuer, KeySet keys) throws TokenRejected {
    VerificationKey key = verifyWithKeys(jws, keys);
    Instant expiresAt = ClaimChecks.expiry(jws.claims()).orElse(Instant.EPOCH);
    VerifiedToken verified = new VerifiedToken(issuer.issuer(), jws.claims(), issuer.keys(), key, expiresAt);
    if (expiresAt.isAfter(clock.instant())) {
      cache.put(digest, verified);
    }
    ClaimChecks.check(jws.claims(), issuer, clock.instant());
    return new Outcome(verified, false);
  }

  private static VerificationKey verifyWithKeys(CompactJws jws, KeySet keys) throws TokenRejected {
    if (jws.kid().isPresent()) {
      VerificationKey found = keys.byKid(jws.kid().get()).orElseThrow(() -> new TokenRejected(TokenProblem.UNKNOWN_KID));
      if (!jws.algorithm().fits(found)) {
        throw new TokenRejected(TokenProblem.KEY_MISMATCH);
      }
      if (!jws.algorithm().verify(jws.signature(), found.key(), jws.signingInput())) {
        throw new TokenRejected(TokenProblem.BAD_SIGNATURE);
      }
      return found;
    }
    if (keys.isEmpty()) {
      throw new TokenRejected(TokenProblem.NO_KEYS);
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
}
