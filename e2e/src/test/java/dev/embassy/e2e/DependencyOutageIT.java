package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.admin.auth.AdminTokens;
import dev.embassy.admin.http.AdminHttpServer;
import dev.embassy.auth.OidcProvider;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.LocalPostgresCluster;
import dev.embassy.testsupport.SteadyTraffic;
import dev.embassy.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees when each runtime dependency of a gateway goes away, measured through a
 * real Envoy under steady traffic: Postgres (everything keeps serving its last revision and says
 * so in /healthz; the admin API refuses writes with 503 problem+json and is not ready), auth-service (its routes answer 503, others are untouched) and
 * ratelimit-service (each policy's failure mode decides). The figures printed here are the ones
 * docs/operations/dependencies.md quotes. Consul and JWKS outages have their own tests
 * (ConsulOutageIT, ConsulDiscoveryIT, JwksFetchingIT).
 */
class DependencyOutageIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADMIN_TOKEN = "dependency-outage-it-admin-token-0123456789";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  @Test
  void eachDependencyDownIsContainedAndReported() throws Exception {
    // Its own Postgres: the shared test server must not be stopped under other tests.
    try (LocalPostgresCluster postgres = LocalPostgresCluster.start();
        OidcProvider idp = OidcProvider.start(FreePorts.one(), "key-1");
        DemoBackend backend = DemoBackend.start("api")) {
      TestDatabase database = new TestDatabase("outage", postgres.createDatabase("outage"), postgres.user(), postgres.password());
      try (Gateway gateway = Gateway.start(database, Map.of(), Map.of());
          HikariDataSource adminDataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4)) {
        new AdminTokens(adminDataSource).installBootstrap(ADMIN_TOKEN, "outage-it");
        AdminHttpServer admin = AdminHttpServer.start("127.0.0.1", 0, adminDataSource);
        gateway.envoy().awaitReady(Duration.ofSeconds(30));
        gateway.apply(config(idp, backend, ""));
        String bearer = "Bearer " + idp.token("alice", "api", Map.of("scope", "api:read"), 600);
        Map<String, String> token = Map.of("authorization", bearer);
        // The first RLS call also opens Envoy's HTTP/2 connection to ratelimit-service; on two busy
        // cores that can pass the filter's 20 ms, which closed mode answers 500.
        Gateway.await(() -> status(gateway, "/closed", Map.of()) == 200, Duration.ofSeconds(10), "RLS connection warm");
        assertThat(statuses(gateway, token)).isEqualTo("public=200 auth=200 open=200 closed=200");

        try (SteadyTraffic traffic = SteadyTraffic.start(gateway.listenerPort(), "/public", Duration.ofMillis(5))) {
          traffic.awaitSuccesses(50, Duration.ofSeconds(10));

          // 1. Postgres down: every service keeps its last revision, and says so.
          long stopped = System.nanoTime();
          postgres.stopServer();
          Gateway.await(() -> degraded(gateway.controlPlane().statusPort())
              && degraded(gateway.auth().statusPort()) && degraded(gateway.rateLimit().statusPort()),
              Duration.ofSeconds(15), "all three report degraded");
          long detectedMs = millisSince(stopped);
          assertThat(statuses(gateway, token)).as("last revision still enforced").isEqualTo("public=200 auth=200 open=200 closed=200");
          assertThat(gateway.get("/orders", Map.of()).statusCode()).as("auth still enforced without a token").isEqualTo(401);
          assertThat(metric(gateway.controlPlane().statusPort(), "embassy_controlplane_store_reachable")).isEqualTo(0.0);
          // The admin API refuses writes, says why, and is not ready; nothing half-written.
          HttpResponse<String> refused = createRoute(admin, "during-outage");
          assertThat(refused.statusCode()).isEqualTo(503);
          assertThat(refused.headers().firstValue("content-type")).hasValue("application/problem+json");
          assertThat(JSON.readTree(refused.body()).path("title").asText()).isEqualTo("Config store unavailable");
          assertThat(get(admin.port(), "/readyz").statusCode()).isEqualTo(503);
          long restarted = System.nanoTime();
          postgres.restart();
          Gateway.await(() -> !degraded(gateway.controlPlane().statusPort())
              && !degraded(gateway.auth().statusPort()) && !degraded(gateway.rateLimit().statusPort()),
              Duration.ofSeconds(20), "all three recover");
          long recoveredMs = millisSince(restarted);
          Gateway.await(() -> get(admin.port(), "/readyz").statusCode() == 200, Duration.ofSeconds(10), "admin API ready again");
          assertThat(createRoute(admin, "after-outage").statusCode()).as("the write refused during the outage, retried").isEqualTo(201);
          long written = System.nanoTime();
          gateway.apply(config(idp, backend, "/after-outage"));
          long appliedMs = millisSince(written);
          assertThat(gateway.get("/after-outage", Map.of()).statusCode()).isEqualTo(200);

          // 2. auth-service down: its routes fail closed with 503 (an outage, not a 403), the rest
          // route as before.
          gateway.stopAuth();
          assertThat(statuses(gateway, token)).isEqualTo("public=200 auth=503 open=200 closed=200");
          long authBack = System.nanoTime();
          gateway.restartAuth();
          Gateway.await(() -> status(gateway, "/orders", token) == 200, Duration.ofSeconds(20), "auth routes serve again");
          long authRecoveredMs = millisSince(authBack);

          // 3. ratelimit-service down: failureMode open lets requests through, closed refuses them.
          gateway.stopRateLimit();
          String rateLimitDown = statuses(gateway, token);
          long rateLimitBack = System.nanoTime();
          gateway.restartRateLimit();
          Gateway.await(() -> status(gateway, "/closed", Map.of()) == 200, Duration.ofSeconds(20), "closed-mode routes serve again");
          long rateLimitRecoveredMs = millisSince(rateLimitBack);
          assertThat(rateLimitDown).isEqualTo("public=200 auth=200 open=200 closed=500");

          assertThat(traffic.failures()).as("failed requests on the public route through all three outages").isZero();
          System.out.printf(
              "dependency outages: postgres detected by all three in %d ms, recovered %d ms after restart, next write applied in %d ms; "
                  + "auth-service restart to first allowed request %d ms; ratelimit-service restart to first closed-mode request %d ms; "
                  + "public route %d requests, %d failed%n",
              detectedMs, recoveredMs, appliedMs, authRecoveredMs, rateLimitRecoveredMs,
              traffic.successes() + traffic.failures(), traffic.failures());
        } finally {
          admin.close();
        }
      }
    }
  }

  private static HttpResponse<String> createRoute(AdminHttpServer admin, String name) throws Exception {
    String body = """
        {"name": "%s", "gateway": "edge", "rules": [{"matches": [{"path": {"value": "/%s"}}], "backendRefs": [{"cluster": "api"}]}]}
        """.formatted(name, name);
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/api/v1/routes"))
        .header("authorization", "Bearer " + ADMIN_TOKEN).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + path + " on " + port, e);
    }
  }

  private static String statuses(Gateway gateway, Map<String, String> token) {
    return "public=" + status(gateway, "/public", Map.of())
        + " auth=" + status(gateway, "/orders", token)
        + " open=" + status(gateway, "/open", Map.of())
        + " closed=" + status(gateway, "/closed", Map.of());
  }

  private static int status(Gateway gateway, String path, Map<String, String> headers) {
    try {
      return gateway.get(path, headers).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  /** What /healthz says; a service that cannot answer at all is not "degraded", it is down. */
  private static boolean degraded(int statusPort) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort + "/healthz"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(response.body());
      return response.statusCode() == 200 && body.path("status").asText().equals("degraded");
    } catch (Exception e) {
      return false;
    }
  }

  private static double metric(int statusPort, String name) throws Exception {
    String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return text.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .findFirst().orElseThrow(() -> new AssertionError(name + " not exported"));
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static String config(OidcProvider idp, DemoBackend backend, String extraPath) {
    String extra = extraPath.isEmpty() ? "" : """
          - {name: extra, gateway: edge, rules: [{matches: [{path: {value: %s}}], backendRefs: [{cluster: api}]}]}
        """.formatted(extraPath);
    return """
        clusters:
          - {name: api, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
        authPolicies:
          - name: api-jwt
            providers:
              - {name: demo, issuer: "%s", discoveryUrl: "%s", audiences: [api]}
            requirements: {scopes: [api:read]}
        rateLimitPolicies:
          - name: open
            domain: outage-open
            requestDescriptors: [{entries: [{genericKey: {value: everyone}}]}]
            descriptors: [{key: generic_key, value: everyone, limit: {requests: 100000, window: 1m}}]
          - name: closed
            domain: outage-closed
            failureMode: closed
            requestDescriptors: [{entries: [{genericKey: {value: everyone}}]}]
            descriptors: [{key: generic_key, value: everyone, limit: {requests: 100000, window: 1m}}]
        gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: ${LISTENER_PORT}}]}]
        routes:
          - {name: public, gateway: edge, rules: [{matches: [{path: {value: /public}}], backendRefs: [{cluster: api}]}]}
          - {name: orders, gateway: edge, authPolicy: api-jwt,
             rules: [{matches: [{path: {value: /orders}}], backendRefs: [{cluster: api}]}]}
          - {name: open, gateway: edge, rateLimitPolicy: open,
             rules: [{matches: [{path: {value: /open}}], backendRefs: [{cluster: api}]}]}
          - {name: closed, gateway: edge, rateLimitPolicy: closed,
             rules: [{matches: [{path: {value: /closed}}], backendRefs: [{cluster: api}]}]}
        """.formatted(backend.port(), idp.issuer(), idp.discoveryUrl()) + extra;
  }
}
