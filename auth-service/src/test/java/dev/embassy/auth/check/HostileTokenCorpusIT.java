package dev.embassy.auth.check;

import static dev.embassy.auth.TestKeys.base64url;
import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.auth.JwksServer;
import dev.embassy.auth.TestKeys;
import dev.embassy.auth.TestKeys.SigningKey;
import dev.embassy.auth.jwks.FetchSettings;
import dev.embassy.auth.jwks.JwksRegistry;
import dev.embassy.auth.jwt.TokenVerifier;
import dev.embassy.auth.jwt.VerifiedTokenCache;
import dev.embassy.auth.policy.CompiledPolicy;
import dev.embassy.auth.policy.PolicyCompiler;
import dev.embassy.auth.policy.PolicySet;
import dev.embassy.config.model.AuthPolicy;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile token corpus (issue 6): tokens and requests built to attack a JWT verifier — the
 * RFC 8725 list (alg none, RS/HS confusion, jku/x5u/jwk/x5c, crit, JWE), signature forgeries
 * including ECDSA r=s=0 (CVE-2022-21449), time and audience games, parser confusion (duplicate
 * members, deep nesting, bad base64), key confusion across issuers, API-key abuse — each run
 * through the real evaluator with keys fetched over HTTP, and each must be refused with the
 * right status and reason. (Wycheproof's own signature vectors run in WycheproofIT.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileTokenCorpusIT {
  private static final String ISSUER = "https://issuer.test";
  private static final String OTHER_ISSUER = "https://other.test";
  private static final String API_KEY = "s3cret-service-key-0123456789";
  private static final String WEAK_KEY = "weak-service-key-0123456789";

  private final SigningKey rsa = TestKeys.rsa("rsa-1");
  private final SigningKey ec = TestKeys.ec("ec-1", "ES256", "secp256r1");
  private final SigningKey ed = TestKeys.ed25519("ed-1");
  private final SigningKey other = TestKeys.rsa("other-1");
  private final SigningKey attacker = TestKeys.rsa("rsa-1");
  private final SigningKey attackerEc = TestKeys.ec("ec-1", "ES256", "secp256r1");

  private JwksServer jwks;
  private JwksRegistry registry;
  private CheckEvaluator evaluator;
  private final ExecutorService afterRefetch = Executors.newVirtualThreadPerTaskExecutor();

  /** One corpus entry: a request and the status and metric reason it must get. */
  record Case(String name, int status, String reason, Supplier<CheckInput> input) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  void start() throws Exception {
    jwks = JwksServer.start()
        .serve("/jwks", JwksServer.Answer.json(TestKeys.jwks(List.of(rsa, ec, ed))))
        .serve("/other-jwks", JwksServer.Answer.json(TestKeys.jwks(List.of(other))));
    Clock clock = Clock.systemUTC();
    registry = new JwksRegistry(new FetchSettings(Duration.ofSeconds(2), 65536, Duration.ofSeconds(30),
        Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofSeconds(5)), (s, t, ok) -> {}, clock);
    AuthPolicy policy = new AuthPolicy("corpus", Map.of(),
        List.of(
            new AuthPolicy.JwtProvider("main", ISSUER, Optional.empty(), Optional.of(jwks.url("/jwks")), List.of("api"),
                List.of("RS256", "ES256", "EdDSA"), "60s", Optional.of("1h")),
            new AuthPolicy.JwtProvider("other", OTHER_ISSUER, Optional.empty(), Optional.of(jwks.url("/other-jwks")),
                List.of("other-api"), List.of("RS256"), "60s", Optional.empty())),
        new AuthPolicy.Requirements(AuthPolicy.Mode.all, List.of("orders:read"), List.of()),
        Optional.empty(), List.of(new AuthPolicy.ClaimHeader("sub", "x-user-id")), false, false,
        Optional.of(new AuthPolicy.ApiKeys("x-api-key", List.of(
            new AuthPolicy.ApiKey("svc", sha256(API_KEY), List.of("orders:read")),
            new AuthPolicy.ApiKey("weak", sha256(WEAK_KEY), List.of())))));
    CompiledPolicy compiled = new PolicyCompiler(registry).compile(policy);
    awaitKeys();
    PolicySet set = new PolicySet(1, Map.of("corpus", compiled));
    evaluator = new CheckEvaluator(() -> set,
        new TokenVerifier(new VerifiedTokenCache(1000, clock), 8192, Duration.ofMillis(100), afterRefetch, clock), hit -> {});
  }

  private void awaitKeys() throws InterruptedException {
    for (int i = 0; i < 200 && registry.states().stream().anyMatch(s -> !s.hasKeys()); i++) {
      Thread.sleep(20);
    }
    assertThat(registry.states()).allMatch(dev.embassy.auth.jwks.ProviderKeys.State::hasKeys);
  }

  @AfterAll
  void stop() {
    registry.close();
    afterRefetch.shutdownNow();
    jwks.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void hostileRequestIsRefused(Case c) {
    CheckInput input = c.input().get();
    Decision decision = evaluator.check(input).join();
    assertThat(decision).as(c.name()).isInstanceOf(Decision.Deny.class);
    Decision.Deny deny = (Decision.Deny) decision;
    assertThat(deny.status()).as(c.name() + " status").isEqualTo(c.status());
    assertThat(deny.reason()).as(c.name() + " reason").isEqualTo(c.reason());
    // Never echo the credential: no token part and no API key appears in what the client sees.
    String credential = input.headers().getOrDefault("authorization", "") + input.headers().getOrDefault("x-api-key", "");
    for (String part : credential.replace("Bearer ", "").split("\\.")) {
      if (part.length() > 8) {
        assertThat(deny.description()).doesNotContain(part);
      }
    }
  }

  @Test
  void corpusHasAtLeastSixtyCases() {
    assertThat(corpus().count()).isGreaterThanOrEqualTo(60);
  }

  @Test
  void theSameRequestsWithHonestTokensAreAllowed() {
    for (SigningKey key : List.of(rsa, ec, ed)) {
      Decision decision = evaluator.check(bearer(key.sign(claims()))).join();
      assertThat(decision).as(key.alg()).isInstanceOf(Decision.Allow.class);
      assertThat(((Decision.Allow) decision).setHeaders()).containsEntry("x-user-id", "user-1");
    }
    assertThat(evaluator.check(apiKey(API_KEY)).join()).isInstanceOf(Decision.Allow.class);
  }

  Stream<Case> corpus() {
    List<Case> cases = new ArrayList<>();
    // --- credentials absent or unreadable
    cases.add(new Case("no credentials at all", 401, "credentials_missing", () -> request(Map.of())));
    cases.add(new Case("Bearer with nothing after it", 401, "credentials_missing", () -> request(Map.of("authorization", "Bearer "))));
    cases.add(new Case("Basic credentials instead of a bearer token", 401, "credentials_missing",
        () -> request(Map.of("authorization", "Basic dXNlcjpwYXNz"))));
    cases.add(new Case("token sent in the query, policy reads the header", 401, "credentials_missing",
        () -> new CheckInput(Map.of("embassy.policy", "corpus"), Map.of(), "/orders?access_token=" + rsa.sign(claims()))));
    // --- structure
    cases.add(new Case("one-part garbage", 401, "token_malformed", () -> bearer("abcdef")));
    cases.add(new Case("two parts", 401, "token_malformed", () -> bearer("eyJhbGciOiJSUzI1NiJ9.e30")));
    cases.add(new Case("four parts", 401, "token_malformed", () -> bearer(rsa.sign(claims()) + ".AAAA")));
    cases.add(new Case("JWE compact (five parts)", 401, "token_encrypted",
        () -> bearer(base64url("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}") + ".AAAA.AAAA.AAAA.AAAA")));
    cases.add(new Case("enc header in a three-part token", 401, "token_encrypted",
        () -> bearer(forge("{\"alg\":\"RS256\",\"enc\":\"A256GCM\",\"kid\":\"rsa-1\"}", claimsJson(), "AAAA"))));
    cases.add(new Case("JWS JSON serialisation instead of compact", 401, "token_malformed",
        () -> bearer("{\"payload\":\"e30\",\"signatures\":[]}")));
    cases.add(new Case("header is not JSON", 401, "token_malformed", () -> bearer(base64url("not json") + "." + base64url(claimsJson()) + ".AAAA")));
    cases.add(new Case("header is a JSON array", 401, "token_malformed", () -> bearer(forge("[\"RS256\"]", claimsJson(), "AAAA"))));
    cases.add(new Case("payload is a JSON array", 401, "token_malformed", () -> bearer(resign(rsa, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", "[1,2]"))));
    cases.add(new Case("payload is not JSON", 401, "token_malformed", () -> bearer(resign(rsa, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", "sub=admin"))));
    cases.add(new Case("trailing garbage after the header object", 401, "token_malformed",
        () -> bearer(resign(rsa, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}{}", claimsJson()))));
    cases.add(new Case("duplicate alg member in the header", 401, "token_malformed",
        () -> bearer(resign(rsa, "{\"alg\":\"none\",\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", claimsJson()))));
    cases.add(new Case("duplicate sub claim", 401, "token_malformed",
        () -> bearer(resign(rsa, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", claimsJson().replace("{", "{\"sub\":\"admin\",")))));
    cases.add(new Case("claims nested 1000 deep", 401, "token_malformed",
        () -> bearer(resign(rsa, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}",
            claimsJson().replace("}", ",\"x\":" + "[".repeat(1000) + "]".repeat(1000) + "}")))));
    cases.add(new Case("base64 padding in a part", 401, "token_malformed", () -> bearer(rsa.sign(claims()).replaceFirst("\\.", "=.") )));
    cases.add(new Case("standard base64 alphabet (+ and /)", 401, "token_malformed", () -> bearer("eyJhbGciOiJSUzI1NiJ9+/.e30.AAAA")));
    cases.add(new Case("NUL byte inside the token", 401, "token_malformed", () -> bearer(rsa.sign(claims()).replaceFirst("\\.", "\u0000."))));
    cases.add(new Case("newline inside the token", 401, "token_malformed", () -> bearer(rsa.sign(claims()).replaceFirst("\\.", "\n."))));
    cases.add(new Case("kid is a number", 401, "token_malformed", () -> bearer(resign(rsa, "{\"alg\":\"RS256\",\"kid\":1}", claimsJson()))));
    cases.add(new Case("alg is missing", 401, "token_malformed", () -> bearer(resign(rsa, "{\"kid\":\"rsa-1\"}", claimsJson()))));
    cases.add(new Case("token over the size limit", 401, "token_oversized",
        () -> bearer(rsa.sign(withClaim("pad", "x".repeat(9000))))));
    // --- algorithm attacks (RFC 8725 §2.1, §3.1)
    for (String none : List.of("none", "None", "NONE", "nOnE")) {
      cases.add(new Case("alg " + none + " without signature", 401, "alg_none",
          () -> bearer(forge("{\"alg\":\"" + none + "\",\"kid\":\"rsa-1\"}", claimsJson(), ""))));
    }
    cases.add(new Case("alg none carrying a real RS256 signature", 401, "alg_none",
        () -> { String[] p = rsa.sign(claims()).split("\\."); return bearer(forge("{\"alg\":\"none\"}", claimsJson(), p[2])); }));
    for (String hs : List.of("HS256", "HS384", "HS512")) {
      cases.add(new Case(hs + " keyed with the RSA public key (DER)", 401, "alg_not_allowed",
          () -> bearer(hmac(hs, "{\"alg\":\"" + hs + "\",\"kid\":\"rsa-1\"}", claimsJson(), rsa.pair().getPublic().getEncoded()))));
    }
    cases.add(new Case("HS256 keyed with the public JWK's JSON", 401, "alg_not_allowed",
        () -> bearer(hmac("HS256", "{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}", claimsJson(), TestKeys.jwks(List.of(rsa)).getBytes(StandardCharsets.UTF_8)))));
    cases.add(new Case("PS256: RSA, but not in this issuer's allowlist", 401, "alg_not_allowed",
        () -> bearer(new SigningKey("rsa-1", "PS256", rsa.pair()).sign(claims()))));
    cases.add(new Case("ES384 not in the allowlist", 401, "alg_not_allowed",
        () -> bearer(TestKeys.ec("ec-1", "ES384", "secp384r1").sign(claims()))));
    cases.add(new Case("unknown alg RS1", 401, "alg_not_allowed", () -> bearer(forge("{\"alg\":\"RS1\",\"kid\":\"rsa-1\"}", claimsJson(), "AAAA"))));
    cases.add(new Case("homoglyph alg (Cyrillic S)", 401, "alg_not_allowed",
        () -> bearer(forge("{\"alg\":\"R\u0405256\",\"kid\":\"rsa-1\"}", claimsJson(), "AAAA"))));
    cases.add(new Case("alg ES256 naming the RSA key", 401, "key_mismatch",
        () -> bearer(new SigningKey("rsa-1", "ES256", attackerEc.pair()).sign(claims()))));
    cases.add(new Case("alg RS256 naming the EC key", 401, "key_mismatch",
        () -> bearer(new SigningKey("ec-1", "RS256", attacker.pair()).sign(claims()))));
    cases.add(new Case("alg EdDSA naming the RSA key", 401, "key_mismatch",
        () -> bearer(new SigningKey("rsa-1", "EdDSA", TestKeys.ed25519("x").pair()).sign(claims()))));
    // --- key-carrying headers (RFC 8725 §3.10) and crit (RFC 7515 §4.1.11)
    cases.add(new Case("jku pointing at the attacker's JWKS", 401, "header_forbidden",
        () -> bearer(attacker.sign(claims(), Map.of("jku", "https://attacker.example/jwks.json")))));
    cases.add(new Case("x5u pointing at the attacker's certificate", 401, "header_forbidden",
        () -> bearer(attacker.sign(claims(), Map.of("x5u", "https://attacker.example/cert.pem")))));
    cases.add(new Case("jwk header embedding the attacker's key", 401, "header_forbidden",
        () -> bearer(attacker.sign(claims(), Map.of("jwk", attacker.publicJwk().toParams(org.jose4j.jwk.JsonWebKey.OutputControlLevel.PUBLIC_ONLY))))));
    cases.add(new Case("x5c header with a certificate chain", 401, "header_forbidden",
        () -> bearer(attacker.sign(claims(), Map.of("x5c", List.of("MIIBszCCAVmgAwIBAgIUe"))))));
    cases.add(new Case("crit naming exp", 401, "crit_unsupported", () -> bearer(rsa.sign(claims(), Map.of("crit", List.of("exp"))))));
    cases.add(new Case("crit b64=false (unencoded payload)", 401, "crit_unsupported",
        () -> bearer(resign(rsa, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"b64\":false,\"crit\":[\"b64\"]}", claimsJson()))));
    cases.add(new Case("crit that is not even a list", 401, "crit_unsupported", () -> bearer(rsa.sign(claims(), Map.of("crit", "x")))));
    // --- keys
    cases.add(new Case("unknown kid", 401, "kid_unknown", () -> bearer(new SigningKey("rotated-away", "RS256", attacker.pair()).sign(claims()))));
    cases.add(new Case("kid with path traversal", 401, "kid_unknown",
        () -> bearer(new SigningKey("../../../../dev/null", "RS256", attacker.pair()).sign(claims()))));
    cases.add(new Case("kid with SQL injection", 401, "kid_unknown",
        () -> bearer(new SigningKey("x' UNION SELECT 'key", "RS256", attacker.pair()).sign(claims()))));
    cases.add(new Case("other issuer's claim, our kid (keys are bound to issuers)", 401, "kid_unknown",
        () -> bearer(rsa.sign(withClaim("iss", OTHER_ISSUER)))));
    cases.add(new Case("other issuer's key, our issuer", 401, "kid_unknown", () -> bearer(other.sign(claims()))));
    // --- signature forgeries
    cases.add(new Case("right kid, attacker's RSA key", 401, "signature_invalid", () -> bearer(attacker.sign(claims()))));
    cases.add(new Case("right kid, attacker's EC key", 401, "signature_invalid", () -> bearer(attackerEc.sign(claims()))));
    cases.add(new Case("signature stripped", 401, "signature_invalid", () -> bearer(rsa.sign(claims()).replaceAll("\\.[^.]*$", "."))));
    cases.add(new Case("payload changed after signing (sub=admin)", 401, "signature_invalid",
        () -> { String[] p = rsa.sign(claims()).split("\\."); return bearer(p[0] + "." + base64url(claimsJson().replace("user-1", "admin")) + "." + p[2]); }));
    cases.add(new Case("header changed after signing", 401, "signature_invalid",
        () -> { String[] p = rsa.sign(claims()).split("\\."); return bearer(base64url("{\"kid\":\"rsa-1\",\"alg\":\"RS256\"}") + "." + p[1] + "." + p[2]); }));
    cases.add(new Case("RSA signature one byte short", 401, "signature_invalid", () -> bearer(truncate(rsa.sign(claims()), 1))));
    cases.add(new Case("RSA signature all zeros", 401, "signature_invalid", () -> bearer(withSignature(rsa.sign(claims()), new byte[256]))));
    cases.add(new Case("ES256 r=s=0 (CVE-2022-21449)", 401, "signature_invalid", () -> bearer(withSignature(ec.sign(claims()), new byte[64]))));
    cases.add(new Case("ES256 r=s=n (curve order)", 401, "signature_invalid", () -> bearer(withSignature(ec.sign(claims()), rs(order(), order())))));
    cases.add(new Case("ES256 r=1, s=1", 401, "signature_invalid", () -> bearer(withSignature(ec.sign(claims()), rs(BigInteger.ONE, BigInteger.ONE)))));
    cases.add(new Case("ES256 signature DER-encoded instead of r||s", 401, "signature_invalid", () -> bearer(derSignature(ec.sign(claims())))));
    cases.add(new Case("ES256 signature truncated", 401, "signature_invalid", () -> bearer(truncate(ec.sign(claims()), 2))));
    cases.add(new Case("ES256 signature with a byte appended", 401, "signature_invalid",
        () -> { String t = ec.sign(claims()); byte[] s = signature(t); return bearer(withSignature(t, Arrays.copyOf(s, s.length + 1))); }));
    cases.add(new Case("EdDSA signature all zeros", 401, "signature_invalid", () -> bearer(withSignature(ed.sign(claims()), new byte[64]))));
    cases.add(new Case("EdDSA signature bit-flipped", 401, "signature_invalid",
        () -> { String t = ed.sign(claims()); byte[] s = signature(t); s[10] ^= 1; return bearer(withSignature(t, s)); }));
    // --- time claims
    long now = System.currentTimeMillis() / 1000;
    cases.add(new Case("expired two hours ago", 401, "expired", () -> bearer(rsa.sign(times(now - 7200, now - 7300)))));
    cases.add(new Case("expired just beyond the 60 s skew", 401, "expired", () -> bearer(rsa.sign(times(now - 65, now - 600)))));
    cases.add(new Case("no exp", 401, "exp_missing", () -> bearer(rsa.sign(without("exp")))));
    cases.add(new Case("exp as a string", 401, "time_claim_invalid", () -> bearer(rsa.sign(withClaim("exp", Long.toString(now + 600))))));
    cases.add(new Case("exp absurdly far (1e300)", 401, "time_claim_invalid", () -> bearer(rsa.sign(withClaim("exp", 1e300)))));
    cases.add(new Case("nbf five minutes ahead", 401, "not_yet_valid", () -> bearer(rsa.sign(withClaim("nbf", now + 300)))));
    cases.add(new Case("iat five minutes ahead", 401, "iat_future", () -> bearer(rsa.sign(times(now + 900, now + 300)))));
    cases.add(new Case("lifetime two hours, maximum one", 401, "lifetime_exceeded", () -> bearer(rsa.sign(times(now + 7000, now - 200)))));
    // --- audience and issuer
    cases.add(new Case("wrong audience", 401, "audience_mismatch", () -> bearer(rsa.sign(withClaim("aud", "billing")))));
    cases.add(new Case("no audience", 401, "audience_mismatch", () -> bearer(rsa.sign(without("aud")))));
    cases.add(new Case("audience list without ours", 401, "audience_mismatch", () -> bearer(rsa.sign(withClaim("aud", List.of("billing", "apix"))))));
    cases.add(new Case("audience as a number", 401, "audience_mismatch", () -> bearer(rsa.sign(withClaim("aud", 1)))));
    cases.add(new Case("other issuer's token with our audience", 401, "audience_mismatch",
        () -> bearer(other.sign(withClaim("iss", OTHER_ISSUER)))));
    cases.add(new Case("untrusted issuer", 401, "issuer_unknown", () -> bearer(rsa.sign(withClaim("iss", "https://evil.example")))));
    cases.add(new Case("issuer differing by a trailing slash", 401, "issuer_unknown", () -> bearer(rsa.sign(withClaim("iss", ISSUER + "/")))));
    cases.add(new Case("no issuer", 401, "issuer_unknown", () -> bearer(rsa.sign(without("iss")))));
    // --- requirements
    cases.add(new Case("valid token without the required scope", 403, "requirements_unmet", () -> bearer(rsa.sign(withClaim("scope", "orders:write")))));
    cases.add(new Case("scope that only starts with the required one", 403, "requirements_unmet",
        () -> bearer(rsa.sign(withClaim("scope", "orders:readwrite")))));
    cases.add(new Case("scp array without the scope", 403, "requirements_unmet",
        () -> { Map<String, Object> c = without("scope"); c.put("scp", List.of("orders:write")); return bearer(rsa.sign(c)); }));
    cases.add(new Case("scope claim as an object", 403, "requirements_unmet", () -> bearer(rsa.sign(withClaim("scope", Map.of("orders:read", true))))));
    // --- API keys
    cases.add(new Case("unknown API key", 401, "api_key_unknown", () -> apiKey("guessed-key")));
    cases.add(new Case("API key with different case", 401, "api_key_unknown", () -> apiKey(API_KEY.toUpperCase())));
    cases.add(new Case("the key's SHA-256 sent as the key", 401, "api_key_unknown", () -> apiKey(sha256(API_KEY))));
    cases.add(new Case("API key without the required scope", 403, "requirements_unmet", () -> apiKey(WEAK_KEY)));
    cases.add(new Case("valid API key next to a forged token (the token decides)", 401, "signature_invalid",
        () -> request(Map.of("authorization", "Bearer " + attacker.sign(claims()), "x-api-key", API_KEY))));
    // --- routing
    cases.add(new Case("no policy on the route", 403, "policy_missing",
        () -> new CheckInput(Map.of(), Map.of("authorization", "Bearer " + rsa.sign(claims())), "/orders")));
    cases.add(new Case("policy the service does not have", 503, "policy_unknown",
        () -> new CheckInput(Map.of("embassy.policy", "nope"), Map.of("authorization", "Bearer " + rsa.sign(claims())), "/orders")));
    return cases.stream();
  }

  private Map<String, Object> claims() {
    long now = System.currentTimeMillis() / 1000;
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", ISSUER);
    claims.put("aud", "api");
    claims.put("sub", "user-1");
    claims.put("scope", "orders:read profile");
    claims.put("iat", now);
    claims.put("exp", now + 600);
    return claims;
  }

  private String claimsJson() {
    return org.jose4j.json.JsonUtil.toJson(claims());
  }

  private Map<String, Object> withClaim(String name, Object value) {
    Map<String, Object> claims = claims();
    claims.put(name, value);
    return claims;
  }

  private Map<String, Object> without(String name) {
    Map<String, Object> claims = claims();
    claims.remove(name);
    return claims;
  }

  private Map<String, Object> times(long exp, long iat) {
    Map<String, Object> claims = claims();
    claims.put("exp", exp);
    claims.put("iat", iat);
    return claims;
  }

  private static CheckInput request(Map<String, String> headers) {
    return new CheckInput(Map.of("embassy.policy", "corpus", "embassy.route", "orders"), new HashMap<>(headers), "/orders");
  }

  private static CheckInput bearer(String token) {
    return request(Map.of("authorization", "Bearer " + token));
  }

  private static CheckInput apiKey(String key) {
    return request(Map.of("x-api-key", key));
  }

  /** A token with exactly this header and payload text and a given (base64url) signature. */
  private static String forge(String header, String payload, String signature) {
    return base64url(header) + "." + base64url(payload) + "." + signature;
  }

  /** Exactly this header and payload text, correctly signed: only the parser can object. */
  private static String resign(SigningKey key, String header, String payload) {
    try {
      String input = base64url(header) + "." + base64url(payload);
      java.security.Signature signature = java.security.Signature.getInstance("SHA256withRSA");
      signature.initSign(key.pair().getPrivate());
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + base64url(signature.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hmac(String alg, String header, String payload, byte[] secret) {
    try {
      String input = base64url(header) + "." + base64url(payload);
      String jca = "Hmac" + alg.replace("HS", "SHA");
      Mac mac = Mac.getInstance(jca);
      mac.init(new SecretKeySpec(secret, jca));
      return input + "." + base64url(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] signature(String token) {
    return java.util.Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1));
  }

  private static String withSignature(String token, byte[] signature) {
    return token.substring(0, token.lastIndexOf('.') + 1) + base64url(signature);
  }

  private static String truncate(String token, int bytes) {
    byte[] s = signature(token);
    return withSignature(token, Arrays.copyOf(s, s.length - bytes));
  }

  private BigInteger order() {
    return ((ECPublicKey) ec.pair().getPublic()).getParams().getOrder();
  }

  private static byte[] rs(BigInteger r, BigInteger s) {
    byte[] out = new byte[64];
    byte[] rb = unsigned(r, 32);
    byte[] sb = unsigned(s, 32);
    System.arraycopy(rb, 0, out, 0, 32);
    System.arraycopy(sb, 0, out, 32, 32);
    return out;
  }

  private static byte[] unsigned(BigInteger value, int length) {
    byte[] bytes = value.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(bytes.length, length);
    System.arraycopy(bytes, bytes.length - copy, out, length - copy, copy);
    return out;
  }

  /** The same valid ES256 signature, ASN.1 DER-encoded as JCA produces it rather than JOSE's r||s. */
  private static String derSignature(String token) {
    byte[] raw = signature(token);
    byte[] r = new BigInteger(1, Arrays.copyOfRange(raw, 0, 32)).toByteArray();
    byte[] s = new BigInteger(1, Arrays.copyOfRange(raw, 32, 64)).toByteArray();
    byte[] der = new byte[6 + r.length + s.length];
    der[0] = 0x30;
    der[1] = (byte) (4 + r.length + s.length);
    der[2] = 0x02;
    der[3] = (byte) r.length;
    System.arraycopy(r, 0, der, 4, r.length);
    der[4 + r.length] = 0x02;
    der[5 + r.length] = (byte) s.length;
    System.arraycopy(s, 0, der, 6 + r.length, s.length);
    return withSignature(token, der);
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
