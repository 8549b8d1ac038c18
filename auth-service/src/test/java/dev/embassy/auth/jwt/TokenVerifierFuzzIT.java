package dev.embassy.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.embassy.auth.JwksServer;
import dev.embassy.auth.TestKeys;
import dev.embassy.auth.jwks.FetchSettings;
import dev.embassy.auth.jwks.JwksRegistry;
import dev.embassy.auth.jwks.KeySource;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Jazzer fuzz target for token parsing and verification: arbitrary strings go through the real
 * verifier (keys fetched over HTTP from a local JWKS). It may only ever refuse with
 * {@link TokenRejected} (no other exception, no hang), and it may only accept a token whose signed
 * part is one the real key signed (a seed): anything else accepted would be a forgery.
 *
 * <p>Without JAZZER_FUZZ set this runs the seeds in src/test/resources/.../TokenVerifierFuzzITInputs
 * only; the auth-service pom sets JAZZER_FUZZ=1 for Failsafe, so CI fuzzes for maxDuration.
 */
class TokenVerifierFuzzIT {
  private static final String ISSUER = "https://fuzz.test";
  private static final TestKeys.SigningKey RSA = TestKeys.rsa("rsa-1");
  private static final TestKeys.SigningKey EC = TestKeys.ec("ec-1", "ES256", "secp256r1");
  private static final JwksServer JWKS = JwksServer.start()
      .serve("/jwks", JwksServer.Answer.json(TestKeys.jwks(List.of(RSA, EC))));
  private static final JwksRegistry REGISTRY = new JwksRegistry(new FetchSettings(Duration.ofSeconds(2), 65536,
      Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofHours(1)), (s, t, ok) -> {}, Clock.systemUTC());
  private static final Map<String, TrustedIssuer> ISSUERS;
  private static final Set<String> SIGNED;
  private static final TokenVerifier VERIFIER =
      new TokenVerifier(new VerifiedTokenCache(100, Clock.systemUTC()), 8192, Duration.ZERO, Runnable::run, Clock.systemUTC());

  static {
    var keys = REGISTRY.keys(new KeySource.JwksUri(ISSUER, URI.create(JWKS.url("/jwks"))));
    for (int i = 0; i < 500 && keys.current().isEmpty(); i++) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ISSUERS = Map.of(ISSUER, new TrustedIssuer(ISSUER, keys, Set.of(JwsAlgorithm.RS256, JwsAlgorithm.ES256),
        Set.of("api"), Duration.ofSeconds(60), Optional.empty()));
    Map<String, Object> claims = Map.of("iss", ISSUER, "aud", "api", "sub", "fuzz", "exp", 4102444800L);
    String rs = RSA.sign(claims);
    String es = EC.sign(claims);
    SIGNED = Set.of(rs.substring(0, rs.lastIndexOf('.')), es.substring(0, es.lastIndexOf('.')));
  }

  @FuzzTest(maxDuration = "45s")
  void onlyGenuineTokensVerify(FuzzedDataProvider data) {
    String token = data.consumeRemainingAsString();
    // Without a refetch wait every verification is decided on return.
    CompletableFuture<TokenVerifier.Outcome> verification = VERIFIER.verify(token, ISSUERS);
    assertThat(verification).isDone();
    TokenVerifier.Outcome outcome;
    try {
      outcome = verification.join();
    } catch (CompletionException e) {
      // Refusing is always allowed; failing any other way is not.
      assertThat(e.getCause()).isInstanceOf(TokenRejected.class);
      return;
    }
    assertThat(token.lastIndexOf('.')).isPositive();
    assertThat(SIGNED).as("accepted a token the key never signed").contains(token.substring(0, token.lastIndexOf('.')));
    assertThat(outcome.token().issuer()).isEqualTo(ISSUER);
  }
}
