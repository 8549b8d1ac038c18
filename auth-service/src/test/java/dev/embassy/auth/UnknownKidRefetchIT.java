package dev.embassy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Code;
import dev.embassy.config.model.AuthPolicy;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Check whose token names a kid the service does not have waits for the JWKS refetch, but it
 * must not hold up the Checks behind it: Checks run on the gRPC Netty event loop, and with one
 * loop (EMBASSY_AUTH_GRPC_THREADS=1) and one connection every Check here shares it. Against a real
 * IdP stand-in whose JWKS answers slowly: the waiting Check gets the rotated key when the refetch
 * brings it within EMBASSY_AUTH_KID_REFETCH_WAIT and fails closed when it does not, while Checks
 * with a cached token on the same connection are answered in milliseconds meanwhile.
 */
@ExtendWith(PostgresExtension.class)
class UnknownKidRefetchIT {
  private static final String ISSUER = "https://idp.test";
  private static final String POLICY = "orders";
  private static final Duration WAIT = Duration.ofMillis(700);
  private static final Duration SLOW_JWKS = Duration.ofMillis(300);
  /** Longer than WAIT, shorter than the JWKS fetch timeout (2 s): the key arrives, but too late. */
  private static final Duration TOO_SLOW_JWKS = Duration.ofMillis(1500);

  private static AuthPolicy policy(String jwksUrl) {
    return new AuthPolicy(POLICY, Map.of(),
        List.of(new AuthPolicy.JwtProvider("idp", ISSUER, Optional.empty(), Optional.of(jwksUrl), List.of("orders-api"),
            List.of("RS256"), "60s", Optional.empty())),
        new AuthPolicy.Requirements(AuthPolicy.Mode.all, List.of(), List.of()), Optional.empty(),
        List.of(new AuthPolicy.ClaimHeader("sub", "x-user-id")), false, false, Optional.empty());
  }

  private static Map<String, String> bearer(TestKeys.SigningKey key, String subject) {
    return Map.of("authorization", "Bearer " + key.sign(Map.of("iss", ISSUER, "aud", "orders-api", "sub", subject,
        "exp", System.currentTimeMillis() / 1000 + 300)));
  }

  /** The Check that waited, how long it took, and how long each cached Check answered meanwhile took. */
  private record Waited(CheckResponse response, Duration took, List<Duration> cachedMeanwhile) {}

  @Test
  void aCheckWaitingForAKeyRefetchDoesNotHoldUpTheChecksBehindIt(TestDatabase db) {
    TestKeys.SigningKey k1 = TestKeys.rsa("k1");
    TestKeys.SigningKey k2 = TestKeys.rsa("k2");
    TestKeys.SigningKey k3 = TestKeys.rsa("k3");
    try (JwksServer jwks = JwksServer.start().serve("/jwks", JwksServer.Answer.json(TestKeys.jwks(List.of(k1))));
        AuthServiceHarness auth = AuthServiceHarness.start(db, Map.of(
            "EMBASSY_AUTH_GRPC_THREADS", "1",
            "EMBASSY_AUTH_KID_REFETCH_WAIT", WAIT.toMillis() + "ms",
            "EMBASSY_AUTH_KID_REFETCH_INTERVAL", "0ms"))) {
      auth.put(policy(jwks.url("/jwks")));
      AuthServiceHarness.await(() -> auth.service().health().report().ready(), Duration.ofSeconds(10), "ready");
      Map<String, String> cached = bearer(k1, "alice");
      assertThat(auth.check(POLICY, cached).getStatus().getCode()).as("verified once, cached from now on").isEqualTo(Code.OK_VALUE);

      // Rotation: the IdP publishes k2 and answers the refetch after 300 ms, within the wait.
      jwks.serve("/jwks", JwksServer.Answer.json(TestKeys.jwks(List.of(k1, k2)))).delay("/jwks", SLOW_JWKS);
      int fetchesBefore = jwks.hits("/jwks");
      Waited rotated = whileWaiting(auth, jwks, bearer(k2, "bob"), cached);
      assertThat(rotated.response().getStatus().getCode()).as("the refetch brought k2 within the wait").isEqualTo(Code.OK_VALUE);
      assertThat(rotated.took()).as("it did wait for the refetch").isGreaterThanOrEqualTo(SLOW_JWKS);
      assertCachedChecksWereNotHeldUp(rotated, SLOW_JWKS);
      assertThat(jwks.hits("/jwks") - fetchesBefore).as("one refetch, however many Checks").isEqualTo(1);

      // The IdP publishes k3 but answers after 1.5 s, longer than the wait: the Check fails closed
      // at the wait, and the Checks behind it still do not wait.
      jwks.serve("/jwks", JwksServer.Answer.json(TestKeys.jwks(List.of(k1, k2, k3)))).delay("/jwks", TOO_SLOW_JWKS);
      Waited late = whileWaiting(auth, jwks, bearer(k3, "carol"), cached);
      assertThat(late.response().getDeniedResponse().getStatus().getCodeValue()).as("fails closed").isEqualTo(401);
      assertThat(late.response().getDeniedResponse().getBody()).contains("signing key is not known");
      assertThat(late.took()).as("it waited the configured wait").isGreaterThanOrEqualTo(WAIT);
      assertCachedChecksWereNotHeldUp(late, WAIT);

      // The refetch still lands and k3 then verifies without waiting for anything.
      AuthServiceHarness.await(() -> auth.status("/metrics").body()
          .contains("embassy_auth_jwks_fetches_total{issuer=\"" + ISSUER + "\",outcome=\"ok\",trigger=\"unknown_kid\"} 2.0"),
          Duration.ofSeconds(5), "the slow refetch to land");
      assertThat(auth.check(POLICY, bearer(k3, "carol")).getStatus().getCode()).isEqualTo(Code.OK_VALUE);

      // Metrics as before: the decision is counted once, and the latency histogram holds the whole
      // decision, the wait included (0.3 s + 0.7 s at least).
      String metrics = auth.status("/metrics").body();
      assertThat(metrics).contains("embassy_auth_decisions_total{policy=\"orders\",reason=\"kid_unknown\",result=\"deny\"} 1.0");
      assertThat(metricValue(metrics, "embassy_auth_check_duration_seconds_sum"))
          .isGreaterThanOrEqualTo((SLOW_JWKS.toMillis() + WAIT.toMillis()) / 1000.0);
      assertThat(metricValue(metrics, "embassy_auth_check_duration_seconds_max")).isGreaterThanOrEqualTo(WAIT.toMillis() / 1000.0);
    }
  }

  /**
   * Sends a Check with {@code waiting} (its kid needs a refetch) and, once the service has started
   * that refetch, keeps sending Checks with {@code cached} on the same connection until the waiting
   * one is answered.
   */
  private static Waited whileWaiting(AuthServiceHarness auth, JwksServer jwks, Map<String, String> waiting, Map<String, String> cached) {
    int fetches = jwks.hits("/jwks");
    long start = System.nanoTime();
    CompletableFuture<Duration> answered = new CompletableFuture<>();
    CompletableFuture<CheckResponse> response = auth.checkLater(POLICY, waiting)
        .whenComplete((r, e) -> answered.complete(Duration.ofNanos(System.nanoTime() - start)));
    // The JWKS server has the refetch request: the service has read the Check and it is waiting.
    AuthServiceHarness.await(() -> jwks.hits("/jwks") > fetches, Duration.ofSeconds(5), "the unknown-kid refetch");
    List<Duration> meanwhile = new ArrayList<>();
    while (!response.isDone()) {
      long sent = System.nanoTime();
      CheckResponse cachedResponse = auth.check(POLICY, cached);
      Duration took = Duration.ofNanos(System.nanoTime() - sent);
      assertThat(cachedResponse.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
      if (!response.isDone()) {
        meanwhile.add(took);
      }
    }
    return new Waited(response.join(), answered.join(), meanwhile);
  }

  /**
   * Blocking the event loop for the wait would answer no cached Check before the waiting one, and
   * the first one only after it; without blocking they come back in a few milliseconds each.
   */
  private static void assertCachedChecksWereNotHeldUp(Waited waited, Duration waitedFor) {
    List<Long> millis = waited.cachedMeanwhile().stream().map(Duration::toMillis).sorted().toList();
    System.out.printf("cached Checks answered while one waited %d ms: %d, median %d ms, slowest %d ms%n",
        waited.took().toMillis(), millis.size(), millis.isEmpty() ? -1 : millis.get(millis.size() / 2),
        millis.isEmpty() ? -1 : millis.getLast());
    assertThat(millis).as("cached Checks answered while the unknown-kid Check waited").hasSizeGreaterThanOrEqualTo(5);
    assertThat(millis.getLast()).as("slowest of them, in ms").isLessThan(waitedFor.toMillis() / 2);
  }

  private static double metricValue(String metrics, String name) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError(name + " not in /metrics");
  }
}
