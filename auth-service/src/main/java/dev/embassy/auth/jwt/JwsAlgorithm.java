package dev.embassy.auth.jwt;

import java.security.Key;
import java.util.Optional;
import org.jose4j.jca.ProviderContext;
import org.jose4j.jwa.AlgorithmFactoryFactory;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignatureAlgorithm;
import org.jose4j.lang.JoseException;

/**
 * The asymmetric JWS algorithms auth-service can verify, each with the key type (and curve) it
 * needs. There is deliberately no HS* and no "none": a verifier that can do HMAC can be tricked
 * into using an RSA public key as the HMAC secret (RFC 8725 §2.1, §3.1). The signature arithmetic
 * is jose4j's (over the JDK's JCA), chosen by {@code bench/run jose}.
 */
public enum JwsAlgorithm {
  RS256("RSA", null, AlgorithmIdentifiers.RSA_USING_SHA256),
  RS384("RSA", null, AlgorithmIdentifiers.RSA_USING_SHA384),
  RS512("RSA", null, AlgorithmIdentifiers.RSA_USING_SHA512),
  PS256("RSA", null, AlgorithmIdentifiers.RSA_PSS_USING_SHA256),
  PS384("RSA", null, AlgorithmIdentifiers.RSA_PSS_USING_SHA384),
  PS512("RSA", null, AlgorithmIdentifiers.RSA_PSS_USING_SHA512),
  ES256("EC", "P-256", AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256),
  ES384("EC", "P-384", AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384),
  ES512("EC", "P-521", AlgorithmIdentifiers.ECDSA_USING_P521_CURVE_AND_SHA512),
  /** RFC 8037; Ed25519 or Ed448 by the key's curve. */
  EdDSA("OKP", null, AlgorithmIdentifiers.EDDSA);

  private final String kty;
  private final String curve;
  private final JsonWebSignatureAlgorithm implementation;

  JwsAlgorithm(String kty, String curve, String joseName) {
    this.kty = kty;
    this.curve = curve;
    try {
      this.implementation = AlgorithmFactoryFactory.getInstance().getJwsAlgorithmFactory().getAlgorithm(joseName);
    } catch (JoseException e) {
      throw new IllegalStateException("jose4j has no " + joseName, e);
    }
  }

  /** The algorithm a JOSE header or config names, or empty (including for none and HS*). */
  public static Optional<JwsAlgorithm> named(String name) {
    for (JwsAlgorithm algorithm : values()) {
      if (algorithm.name().equals(name)) {
        return Optional.of(algorithm);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether {@code key} may verify this algorithm: same key type, same curve for ECDSA
   * (RFC 7518 §3.4 binds ES256 to P-256), EdDSA only with Ed25519/Ed448, and, when the JWK
   * carries its own "alg", that exact algorithm (RFC 7517 §4.4).
   */
  public boolean fits(VerificationKey key) {
    if (!kty.equals(key.kty())) {
      return false;
    }
    if (curve != null && !key.curve().map(curve::equals).orElse(false)) {
      return false;
    }
    if (this == EdDSA && !key.curve().map(c -> c.equals("Ed25519") || c.equals("Ed448")).orElse(false)) {
      return false;
    }
    return key.alg().map(name()::equals).orElse(true);
  }

  /**
   * Verifies {@code signature} over {@code signingInput} (the ASCII of "header.payload").
   * Malformed signatures (wrong length, out-of-range ECDSA values) are simply invalid.
   */
  public boolean verify(byte[] signature, Key key, byte[] signingInput) {
    // RFC 7518 §3.4: an ECDSA JWS signature is exactly r||s, each padded to the curve's size.
    // jose4j tolerates other lengths (Wycheproof's "incorrect size of signature" vectors verify
    // there), which makes signatures malleable; we do not.
    int expected = switch (this) {
      case ES256 -> 64;
      case ES384 -> 96;
      case ES512 -> 132;
      default -> -1;
    };
    if (expected > 0 && signature.length != expected) {
      return false;
    }
    try {
      implementation.validateVerificationKey(key);
      return implementation.verifySignature(signature, key, signingInput, ProviderContextHolder.CONTEXT);
    } catch (JoseException | RuntimeException e) {
      return false;
    }
  }

  /** jose4j's default provider context: the JDK's providers, chosen per call. */
  private static final class ProviderContextHolder {
    static final ProviderContext CONTEXT = new ProviderContext();
  }
}
