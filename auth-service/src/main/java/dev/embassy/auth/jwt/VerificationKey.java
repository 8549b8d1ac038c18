package dev.embassy.auth.jwt;

import java.security.PublicKey;
import java.util.Optional;

/**
 * One public key from an issuer's JWKS, with the JWK members that restrict its use.
 *
 * @param kty the JWK key type: RSA, EC or OKP
 * @param curve EC or OKP curve (P-256, Ed25519, ...); empty for RSA
 * @param alg the JWK's own "alg", when the issuer pinned the key to one algorithm
 */
public record VerificationKey(Optional<String> kid, String kty, Optional<String> curve, Optional<String> alg, PublicKey key) {}
