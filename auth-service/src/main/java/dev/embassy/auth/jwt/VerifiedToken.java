package dev.embassy.auth.jwt;

import dev.embassy.auth.jwks.ProviderKeys;
import java.time.Instant;
import java.util.Map;

/**
 * A token whose signature checked out against {@code key} from {@code keys}. Claims are as the
 * token states them; per-policy checks (audience, time) are {@link ClaimChecks}' job and run on
 * every use, cached or not.
 */
public record VerifiedToken(String issuer, Map<String, Object> claims, ProviderKeys keys, VerificationKey key, Instant expiresAt) {}
