package dev.embassy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Through a real Envoy (static bootstrap with the control plane's filter and route shape) to a
 * real ratelimit-service node over gRPC: 429 after the limit with Envoy's X-RateLimit-* and our
 * RateLimit-* headers, per-user counters, shadow mode never blocking, and the window mapping for
 * a window no RLS unit can express.
 */
class EnvoyRateLimitIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final String POLICIES = """
      rateLimitPolicies:
        - name: e2e
          domain: e2e
          requestDescriptors:
            - entries: [{genericKey: {value: limited}}, {requestHeader: {header: x-user, key: user}}]
          descriptors:
            - key: generic_key
              value: limited
              descriptors:
                - key: user
                  limit: {requests: 3, window: 1m}
        - name: e2e-shadow
          domain: e2e-shadow
          requestDescriptors: [{entries: [{genericKey: {value: shadow}}]}]
          descriptors:
            - key: generic_key
              value: shadow
              shadowMode: true
              limit: {requests: 1, window: 1m}
        - name: e2e-five
          domain: e2e-five
          requestDescriptors: [{entries: [{remoteAddress: {}}]}]
          descriptors:
            - key: remote_address
              limit: {requests: 100, window: 5m}
      """;

  private static DemoBackend backend;
  private static RateLimitNode node;
  private static EnvoyProcess envoy;
  private static int listenerPort;

  @BeforeAll
  static void start() throws Exception {
    backend = DemoBackend.start("limited-backend");
    int[] ports = FreePorts.many(2);
    node = RateLimitNode.start(RateLimitServiceConfig.fromEnvironment(Map.of(
        "EMBASSY_RATELIMIT_PORT", Integer.toString(ports[0]),
        "EMBASSY_RATELIMIT_STATUS_PORT", Integer.toString(ports[1]),
        "EMBASSY_RATELIMIT_NODE_ID", "e2e")), FixedPolicies.of(POLICIES));
    listenerPort = FreePorts.one();
    envoy = EnvoyProcess.start(Path.of(EnvoyRateLimitIT.class.getResource("/envoy/ratelimit-e2e.yaml").toURI()), Map.of(
        "LISTENER_PORT", Integer.toString(listenerPort),
        "BACKEND_PORT", Integer.toString(backend.port()),
        "RLS_PORT", Integer.toString(node.grpcPort()),
        // Generous for a shared CI machine: this test is about answers, the benchmark about time.
        "RLS_TIMEOUT", "1s"));
    envoy.awaitReady(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (envoy != null) {
      envoy.close();
    }
    if (node != null) {
      node.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void answers429AfterTheLimitWithRateLimitHeaders() throws Exception {
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> ok = get("/limited", "alice");
      assertThat(ok.statusCode()).as("request %d", i).isEqualTo(200);
      assertThat(header(ok, "x-ratelimit-remaining")).isEqualTo(Integer.toString(2 - i));
      assertThat(header(ok, "ratelimit-remaining")).isEqualTo(Integer.toString(2 - i));
      // A 1-minute window is expressible, so Envoy's limit header carries it.
      assertThat(header(ok, "x-ratelimit-limit")).isEqualTo("3, 3;w=60");
      assertThat(header(ok, "ratelimit-limit")).isEqualTo("3");
      assertThat(header(ok, "ratelimit-policy")).isEqualTo("3;w=60");
    }
    HttpResponse<String> limited = get("/limited", "alice");
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(header(limited, "x-envoy-ratelimited")).isEqualTo("true");
    assertThat(header(limited, "x-ratelimit-remaining")).isEqualTo("0");
    assertThat(header(limited, "ratelimit-remaining")).isEqualTo("0");
    long reset = Long.parseLong(header(limited, "ratelimit-reset"));
    assertThat(reset).isBetween(1L, 120L);
    assertThat(header(limited, "x-ratelimit-reset")).isEqualTo(Long.toString(reset));
    // Counters are per user: bob is not limited by alice's requests.
    assertThat(get("/limited", "bob").statusCode()).isEqualTo(200);
    // A request without the header sends no descriptor and is not limited.
    for (int i = 0; i < 5; i++) {
      assertThat(get("/limited", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void shadowModeNeverBlocks() throws Exception {
    long before = backend.requestCount();
    for (int i = 0; i < 6; i++) {
      assertThat(get("/shadow", null).statusCode()).as("request %d", i).isEqualTo(200);
    }
    assertThat(backend.requestCount() - before).isEqualTo(6);
    String metrics = NodeMetrics.scrape(node.statusPort());
    assertThat(metrics).contains("embassy_ratelimit_shadow_mode_total{descriptor=\"e2e-shadow.generic_key_shadow\",domain=\"e2e-shadow\"} 5.0");
  }

  @Test
  void aFiveMinuteWindowIsNotMisreportedAsAUnitEnvoyKnows() throws Exception {
    HttpResponse<String> ok = get("/five-minutes", null);
    assertThat(ok.statusCode()).isEqualTo(200);
    // UNKNOWN unit: Envoy shows the limit without a window instead of a wrong one ...
    assertThat(header(ok, "x-ratelimit-limit")).isEqualTo("100");
    // ... and our RateLimit-Policy says what the window is.
    assertThat(header(ok, "ratelimit-policy")).isEqualTo("100;w=300");
    assertThat(Long.parseLong(header(ok, "x-ratelimit-reset"))).isBetween(1L, 300L);
  }

  private static HttpResponse<String> get(String path, String user) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listenerPort + path)).timeout(Duration.ofSeconds(5));
    if (user != null) {
      request.header("x-user", user);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<String> response, String name) {
    return response.headers().firstValue(name).orElseThrow(() -> new AssertionError(
        "no " + name + " header in " + response.statusCode() + " response; headers " + response.headers().map()));
  }
}
