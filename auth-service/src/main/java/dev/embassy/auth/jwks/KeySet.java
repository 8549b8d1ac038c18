package dev.embassy.auth.jwks;

import dev.embassy.auth.jwt.JoseJson;
import dev.embassy.auth.jwt.VerificationKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.OctetKeyPairJsonWebKey;
import org.jose4j.lang.JoseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The verification keys of one JWKS document, by kid. */
public record KeySet(Map<String, VerificationKey> byKid, List<VerificationKey> all) {
  private static final Logger LOG = LoggerFactory.getLogger(KeySet.class);

  public static final KeySet EMPTY = new KeySet(Map.of(), List.of());

  public KeySet {
    byKid = Map.copyOf(byKid);
    all = List.copyOf(all);
  }

  public Optional<VerificationKey> byKid(String kid) {
    return Optional.ofNullable(byKid.get(kid));
  }

  public boolean isEmpty() {
    return all.isEmpty();
  }

  /** Whether {@code key} (the very same object) is still part of this set. */
  public boolean holds(VerificationKey key) {
    return key.kid().map(kid -> byKid.get(kid) == key).orElseGet(() -> all.contains(key));
  }

  /**
   * Parses a JWKS (RFC 7517 §5). Symmetric keys ("oct"), encryption keys ("use": "enc") and keys
   * that cannot be read are skipped with a log line, so one odd key does not cost the others.
   * A document that is not a JWKS at all is an error.
   */
  @SuppressWarnings("unchecked")
  public static KeySet parse(byte[] json) throws JwksFetchException {
    Map<String, Object> document = JoseJson.object(json).orElseThrow(() -> new JwksFetchException("the JWKS is not a JSON object"));
    if (!(document.get("keys") instanceof List<?> keys)) {
      throw new JwksFetchException("the JWKS has no \"keys\" array");
    }
    Map<String, VerificationKey> byKid = new HashMap<>();
    List<VerificationKey> all = new ArrayList<>();
    for (Object entry : keys) {
      if (!(entry instanceof Map<?, ?> params)) {
        continue;
      }
      Optional<VerificationKey> key = key((Map<String, Object>) params);
      if (key.isEmpty()) {
        continue;
      }
      // Two keys with one kid would make the choice arbitrary; the first wins and the rest are ignored.
      if (key.get().kid().isPresent() && byKid.putIfAbsent(key.get().kid().get(), key.get()) != null) {
        LOG.warn("JWKS lists kid {} more than once; using the first", key.get().kid().get());
        continue;
      }
      all.add(key.get());
    }
    return new KeySet(byKid, all);
  }

  private static Optional<VerificationKey> key(Map<String, Object> params) {
    Object kty = params.get("kty");
    Object use = params.get("use");
    if (!("RSA".equals(kty) || "EC".equals(kty) || "OKP".equals(kty)) || (use != null && !"sig".equals(use))) {
      return Optional.empty();
    }
    try {
      JsonWebKey jwk = JsonWebKey.Factory.newJwk(params);
      Optional<String> curve = switch (jwk) {
        case EllipticCurveJsonWebKey ec -> Optional.ofNullable(ec.getCurveName());
        case OctetKeyPairJsonWebKey okp -> Optional.ofNullable(okp.getSubtype());
        default -> Optional.empty();
      };
      if (jwk.getPublicKey() == null) {
        return Optional.empty();
      }
      return Optional.of(new VerificationKey(
          Optional.ofNullable(jwk.getKeyId()), (String) kty, curve, Optional.ofNullable(jwk.getAlgorithm()), jwk.getPublicKey()));
    } catch (JoseException | RuntimeException e) {
      LOG.warn("skipping a JWK that cannot be read: {}", e.getMessage());
      return Optional.empty();
    }
  }
}
