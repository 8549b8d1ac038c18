package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.auth.OidcProvider;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 7's end-to-end cases through the config the control plane generates (the rate-limit filter
 * per failure mode, route rate_limits actions built from the policy's request descriptors, the
 * domain per route) with a real Envoy and a ratelimit-service node following the store: 429 with
 * headers after the limit, a per-user limit keyed on the claim auth-service put into ext_authz
 * dynamic metadata, and a shadow-mode limit that counts but never blocks.
 */
@ExtendWith(PostgresExtension.class)
class RateLimitThroughGatewayIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void limitsAreEnforcedWithHeadersPerUserAndShadowModeNeverBlocks(TestDatabase database) throws Exception {
    try (OidcProvider idp = OidcProvider.start(FreePorts.one(), "key-1");
        DemoBackend backend = DemoBackend.start("api");
        Gateway gateway = Gateway.start(database, Map.of())) {
      gateway.envoy().awaitReady(Duration.ofSeconds(30));
      gateway.apply(config(idp, backend));
      int shadowedRequests = warmUp(gateway);

      // Per client address, 3 a minute: three pass with the quota counting down, the fourth is 429.
      long servedBefore = backend.requestCount();
      List<HttpResponse<String>> byAddress = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        byAddress.add(gateway.get("/limited", Map.of()));
      }
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> ok = byAddress.get(i);
        assertThat(ok.statusCode()).as("request %d: %s", i + 1, ok.body()).isEqualTo(200);
        assertThat(ok.headers().firstValue("x-ratelimit-limit")).as("Envoy's draft-03 header in %s", ok.headers().map()).get().asString().startsWith("3");
        assertThat(ok.headers().firstValue("x-ratelimit-remaining")).hasValue(Integer.toString(2 - i));
        assertThat(ok.headers().firstValue("ratelimit-limit")).as("IETF header from ratelimit-service").hasValue("3");
        assertThat(ok.headers().firstValue("ratelimit-remaining")).hasValue(Integer.toString(2 - i));
      }
      HttpResponse<String> limited = byAddress.get(3);
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("x-ratelimit-remaining")).hasValue("0");
      assertThat(limited.headers().firstValue("ratelimit-remaining")).hasValue("0");
      long reset = Long.parseLong(limited.headers().firstValue("ratelimit-reset").orElseThrow());
      // A sliding window has no fixed reset: ratelimit-service reports when one more request would
      // be admitted, which can be after this window ends while its hits still weigh (at most 2m).
      assertThat(reset).as("seconds until a request is admitted again").isBetween(1L, 120L);
      assertThat(limited.headers().firstValue("ratelimit-policy")).hasValue("3;w=60");
      assertThat(backend.requestCount() - servedBefore).as("the limited request never reached the backend").isEqualTo(3);

      // Per user, 2 a minute, keyed on the token's sub from ext_authz dynamic metadata: alice runs
      // out, bob (same address, same route) still has his own quota.
      String alice = "Bearer " + idp.token("alice", "orders-api", Map.of("scope", "orders:read"), 300);
      String bob = "Bearer " + idp.token("bob", "orders-api", Map.of("scope", "orders:read"), 300);
      assertThat(gateway.get("/orders", Map.of("authorization", alice)).statusCode()).isEqualTo(200);
      assertThat(gateway.get("/orders", Map.of("authorization", alice)).statusCode()).isEqualTo(200);
      HttpResponse<String> aliceOver = gateway.get("/orders", Map.of("authorization", alice));
      assertThat(aliceOver.statusCode()).as("alice's third request in the minute").isEqualTo(429);
      assertThat(aliceOver.headers().firstValue("ratelimit-limit")).hasValue("2");
      assertThat(gateway.get("/orders", Map.of("authorization", bob)).statusCode()).as("bob has his own counter").isEqualTo(200);
      assertThat(gateway.get("/orders", Map.of()).statusCode()).as("no token: auth denies before any limit").isEqualTo(401);

      // Shadow mode: a limit of 1 a minute that is evaluated and counted, but never enforced.
      for (int i = 0; i < 6; i++) {
        HttpResponse<String> shadowed = gateway.get("/shadowed", Map.of());
        assertThat(shadowed.statusCode()).as("shadowed request %d", i + 1).isEqualTo(200);
        shadowedRequests++;
      }
      String metrics = status(gateway, "/metrics");
      assertThat(shadowMetric(metrics)).as("every shadowed request past the first was over the limit and counted:\n" + metrics)
          .isEqualTo(shadowedRequests - 1);
    }
  }

  /**
   * Waits until Envoy's gRPC connection to ratelimit-service answers within the filter's 20 ms:
   * the first call after the cluster appears also opens the HTTP/2 connection, and on a busy
   * 2-core machine that can exceed the timeout, which the policy's failure mode (open) turns into
   * an unlimited pass without headers. Warms up on the shadow route, whose limit never blocks;
   * returns how many requests it sent there.
   */
  private static int warmUp(Gateway gateway) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int sent = 0;
    while (true) {
      HttpResponse<String> response = gateway.get("/shadowed", Map.of());
      sent++;
      if (response.headers().firstValue("ratelimit-limit").isPresent()) {
        System.out.printf("ratelimit-service answered in time after %d request(s); Envoy: %s%n", sent,
            gateway.envoy().admin("/stats?filter=ratelimit").replace('\n', ' '));
        return sent;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("ratelimit-service never answered Envoy in time: " + gateway.envoy().admin("/stats?filter=ratelimit"));
      }
      Thread.sleep(50);
    }
  }

  private static String status(Gateway gateway, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.rateLimit().statusPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The shadow-mode counter of the e2e-shadow domain, summed over its descriptors. */
  private static double shadowMetric(String metrics) {
    double sum = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("embassy_ratelimit_shadow_mode") && line.contains("domain=\"e2e-shadow\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  private static String config(OidcProvider idp, DemoBackend backend) {
    return """
        clusters:
          - {name: api, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
        authPolicies:
          - name: orders-jwt
            providers:
              - {name: demo, issuer: "%s", discoveryUrl: "%s", audiences: [orders-api]}
            requirements: {scopes: [orders:read]}
        rateLimitPolicies:
          - name: per-address
            domain: e2e-address
            requestDescriptors: [{entries: [{remoteAddress: {}}]}]
            descriptors: [{key: remote_address, limit: {requests: 3, window: 1m}}]
          - name: per-user
            domain: e2e-user
            requestDescriptors: [{entries: [{claim: {claim: sub, key: user}}]}]
            descriptors: [{key: user, limit: {requests: 2, window: 1m}}]
          - name: shadowed
            domain: e2e-shadow
            requestDescriptors: [{entries: [{genericKey: {value: everyone}}]}]
            descriptors: [{key: generic_key, value: everyone, shadowMode: true, limit: {requests: 1, window: 1m}}]
        gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: ${LISTENER_PORT}}]}]
        routes:
          - {name: limited, gateway: edge, rateLimitPolicy: per-address,
             rules: [{matches: [{path: {value: /limited}}], backendRefs: [{cluster: api}]}]}
          - {name: orders, gateway: edge, authPolicy: orders-jwt, rateLimitPolicy: per-user,
             rules: [{matches: [{path: {value: /orders}}], backendRefs: [{cluster: api}]}]}
          - {name: shadowed, gateway: edge, rateLimitPolicy: shadowed,
             rules: [{matches: [{path: {value: /shadowed}}], backendRefs: [{cluster: api}]}]}
        """.formatted(backend.port(), idp.issuer(), idp.discoveryUrl());
  }
}
