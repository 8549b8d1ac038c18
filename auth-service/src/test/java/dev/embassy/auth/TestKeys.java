package dev.embassy.auth;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.OctetKeyPairJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.json.JsonUtil;
import org.jose4j.lang.JoseException;

/** Signing keys made for a test, their public JWKS, and tokens signed with them. */
public final class TestKeys {
  /** One key pair with its kid and JWS algorithm. */
  public record SigningKey(String kid, String alg, KeyPair pair) {
    public JsonWebKey publicJwk() {
      try {
        JsonWebKey jwk = switch (pair.getPublic().getAlgorithm()) {
          case "RSA" -> new RsaJsonWebKey((java.security.interfaces.RSAPublicKey) pair.getPublic());
          case "EC" -> new EllipticCurveJsonWebKey((java.security.interfaces.ECPublicKey) pair.getPublic());
          default -> new OctetKeyPairJsonWebKey(pair.getPublic());
        };
        jwk.setKeyId(kid);
        jwk.setUse("sig");
        return jwk;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** A compact JWS over {@code claims} with a header of alg and kid. */
    public String sign(Map<String, Object> claims) {
      return sign(claims, Map.of());
    }

    /** A compact JWS with extra header members ({@code null} value removes one of alg/kid). */
    public String sign(Map<String, Object> claims, Map<String, Object> extraHeaders) {
      try {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(JsonUtil.toJson(claims));
        jws.setKey(pair.getPrivate());
        jws.setAlgorithmHeaderValue(alg);
        jws.setKeyIdHeaderValue(kid);
        jws.setDoKeyValidation(false);
        extraHeaders.forEach((name, value) -> jws.getHeaders().setObjectHeaderValue(name, value));
        return jws.getCompactSerialization();
      } catch (JoseException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private TestKeys() {}

  public static SigningKey rsa(String kid) {
    return rsa(kid, "RS256", 2048);
  }

  public static SigningKey rsa(String kid, String alg, int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(bits);
      return new SigningKey(kid, alg, generator.generateKeyPair());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static SigningKey ec(String kid, String alg, String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(curve));
      return new SigningKey(kid, alg, generator.generateKeyPair());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static SigningKey ed25519(String kid) {
    try {
      return new SigningKey(kid, "EdDSA", KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public JWKS document for {@code keys}. */
  public static String jwks(List<SigningKey> keys) {
    List<Map<String, Object>> jwks = new ArrayList<>();
    for (SigningKey key : keys) {
      jwks.add(key.publicJwk().toParams(JsonWebKey.OutputControlLevel.PUBLIC_ONLY));
    }
    return JsonUtil.toJson(Map.of("keys", jwks));
  }

  public static String base64url(String text) {
    return base64url(text.getBytes(StandardCharsets.UTF_8));
  }

  public static String base64url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
