package dev.embassy.auth.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Tokens whose signature already checked out, keyed by the token's SHA-256 (the token itself is
 * not kept: a heap dump then holds no usable bearer token) and bounded in size (Caffeine's
 * W-TinyLFU, which keeps hot tokens better than plain LRU under scans of one-off tokens). An entry
 * lives until the token's exp. Envoy never caches ext_authz answers, so this is what makes a
 * repeat request cost a hash instead of a signature check (ES256 ≈ 0.4 ms on this JVM).
 */
public final class VerifiedTokenCache {
  private final Cache<String, VerifiedToken> cache;
  private final Clock clock;

  public VerifiedTokenCache(int maxEntries, Clock clock) {
    this.clock = clock;
    this.cache = maxEntries == 0 ? null : Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .expireAfter(Expiry.<String, VerifiedToken>creating((key, token) ->
            java.time.Duration.ofMillis(Math.max(0, token.expiresAt().toEpochMilli() - clock.millis()))))
        .executor(Runnable::run)
        .build();
  }

  public static String digest(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  public Optional<VerifiedToken> get(String digest) {
    if (cache == null) {
      return Optional.empty();
    }
    VerifiedToken token = cache.getIfPresent(digest);
    // Expiry runs on Caffeine's schedule; an entry a few ms past exp must not be served.
    return token != null && token.expiresAt().isAfter(clock.instant()) ? Optional.of(token) : Optional.empty();
  }

  public void put(String digest, VerifiedToken token) {
    if (cache != null) {
      cache.put(digest, token);
    }
  }

  public long size() {
    return cache == null ? 0 : cache.estimatedSize();
  }
}
