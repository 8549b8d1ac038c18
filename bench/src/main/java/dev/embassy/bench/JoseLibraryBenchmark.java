package dev.embassy.bench;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;

/**
 * Chooses the JOSE library for auth-service (issue 6: "chosen by benchmark"): parse a compact JWS,
 * verify its signature and parse its claims, single-threaded, with nimbus-jose-jwt and jose4j on
 * the same tokens and keys. Five rounds of two seconds per case after a warm-up; the median
 * round is reported. Run with {@code bench/run jose}.
 */
public final class JoseLibraryBenchmark {
  private static final long ROUND_NANOS = 2_000_000_000L;

  private JoseLibraryBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("logback.configurationFile", "logback-bench.xml");
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair rsaKeys = rsa.generateKeyPair();
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ecKeys = ec.generateKeyPair();
    KeyPair edKeys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();

    String rs256 = sign(rsaKeys, AlgorithmIdentifiers.RSA_USING_SHA256);
    String es256 = sign(ecKeys, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
    String eddsa = sign(edKeys, AlgorithmIdentifiers.EDDSA);

    JWSVerifier nimbusRsa = new RSASSAVerifier((RSAPublicKey) rsaKeys.getPublic());
    JWSVerifier nimbusEc = new ECDSAVerifier((ECPublicKey) ecKeys.getPublic());

    System.out.println("case | ops/s median of 5 (rounds)");
    report("RS256 nimbus-jose-jwt", rs256, token -> nimbus(token, nimbusRsa));
    report("RS256 jose4j", rs256, token -> jose4j(token, rsaKeys));
    report("ES256 nimbus-jose-jwt", es256, token -> nimbus(token, nimbusEc));
    report("ES256 jose4j", es256, token -> jose4j(token, ecKeys));
    // nimbus-jose-jwt verifies Ed25519 only through Google Tink (an extra dependency); jose4j uses the JDK's EdDSA.
    report("EdDSA jose4j", eddsa, token -> jose4j(token, edKeys));
  }

  private static String sign(KeyPair keys, String alg) throws Exception {
    JwtClaims claims = new JwtClaims();
    claims.setIssuer("https://issuer.example");
    claims.setAudience("api");
    claims.setSubject("user-1");
    claims.setExpirationTimeMinutesInTheFuture(60);
    claims.setIssuedAt(NumericDate.now());
    claims.setClaim("scope", "read write");
    JsonWebSignature jws = new JsonWebSignature();
    jws.setPayload(claims.toJson());
    jws.setKey(keys.getPrivate());
    jws.setKeyIdHeaderValue("k1");
    jws.setAlgorithmHeaderValue(alg);
    return jws.getCompactSerialization();
  }

  private static boolean nimbus(String token, JWSVerifier verifier) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      return jwt.verify(verifier) && jwt.getJWTClaimsSet().getSubject() != null;
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean jose4j(String token, KeyPair keys) {
    try {
      JsonWebSignature jws = new JsonWebSignature();
      jws.setCompactSerialization(token);
      jws.setKey(keys.getPublic());
      return jws.verifySignature() && JwtClaims.parse(jws.getPayload()).getSubject() != null;
    } catch (Exception e) {
      return false;
    }
  }

  private static void report(String name, String token, Predicate<String> verify) {
    run(token, verify, ROUND_NANOS); // warm-up
    List<Long> rounds = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rounds.add(run(token, verify, ROUND_NANOS));
    }
    List<Long> sorted = rounds.stream().sorted().toList();
    System.out.printf("%s | %,d (%s)%n", name, sorted.get(2), rounds);
  }

  private static long run(String token, Predicate<String> verify, long nanos) {
    long start = System.nanoTime();
    long count = 0;
    while (System.nanoTime() - start < nanos) {
      if (!verify.test(token)) {
        throw new IllegalStateException("verification failed");
      }
      count++;
    }
    return count * 1_000_000_000L / (System.nanoTime() - start);
  }
}
