package dev.embassy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.RepoPaths;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * One team's route that Envoy rejects does not stop anyone else's changes. The route reaches the
 * store past validation (a test-only bypass: its stored spec is rewritten in SQL to a regex RE2
 * refuses, before the control plane starts), and so does a new cluster with a value over Envoy's
 * limit; two real Envoys of one node group (state of the world and delta) NACK them, and then:
 * <ul>
 *   <li>the route is quarantined with Envoy's error, on its GET, in /api/v1/nacks and in a metric;
 *   <li>another team's new route is routable as soon as its ?wait= write returns, in the usual time;
 *   <li>the cluster is quarantined, with the route that sends to it, and nothing else;
 *   <li>fixing them clears the quarantine and makes them routable;
 *   <li>a listener Envoy refuses for what validation cannot see (an access log in a missing
 *       directory) is quarantined by name, the write touching it says so in its ?wait= answer, and
 *       the fix clears it;
 *   <li>steady traffic on an unrelated route never fails throughout.
 * </ul>
 */
class NackIsolationIT extends AdminApiTestCase {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final String REJECTED_REGEX = "/(a{1000}){1000}";

  @Test
  void aRejectedRouteIsQuarantinedAndEveryoneElseKeepsShipping() throws Exception {
    int listenerPort = FreePorts.one();
    try (DemoBackend backend = DemoBackend.start("demo")) {
      String seed = """
          {"clusters":[{"name":"demo","discovery":{"static":{"endpoints":[{"address":"127.0.0.1","port":%1$d}]}}},
                       %3$s],
           "gateways":[{"name":"edge","nodeGroup":"edge","listeners":[{"name":"http","port":%2$d}]}],
           "routes":[%4$s,%5$s,%6$s]}
          """.formatted(backend.port(), listenerPort, flakyCluster(backend.port(), 50), route("steady", "PathPrefix", "/steady"),
          route("bad", "RegularExpression", "/bad/[a]+"), route("flaky", "PathPrefix", "/flaky").replace("\"cluster\":\"demo\"", "\"cluster\":\"flaky\""));
      assertThat(api.send("POST", "/api/v1/config:apply", "application/json", seed, AdminApiFixture.ADMIN_TOKEN, Map.of()).status()).isEqualTo(200);
      bypassValidation("route", "bad", "/bad/[a]+", REJECTED_REGEX);
      // Envoy's own limit (max_ejection_percent lte 100), which validation would refuse.
      bypassValidation("cluster", "flaky", "\"maxEjectionPercent\": 50", "\"maxEjectionPercent\": 500");

      try (dev.embassy.controlplane.ControlPlane controlPlane = dev.embassy.controlplane.ControlPlane.start(
              dev.embassy.controlplane.ControlPlaneConfig.fromEnvironment(Map.of(
                  "EMBASSY_XDS_PORT", "0", "EMBASSY_STATUS_PORT", "0", "EMBASSY_LISTENER_ADDRESS", "127.0.0.1")),
              api.dataSource(), "nack-it");
          EnvoyProcess sotw = envoy("nack-sotw", "GRPC", controlPlane.xdsPort());
          EnvoyProcess delta = envoy("nack-delta", "DELTA_GRPC", controlPlane.xdsPort())) {
        sotw.awaitReady(Duration.ofSeconds(30));
        delta.awaitReady(Duration.ofSeconds(30));
        await(() -> status(listenerPort, "/steady/x") == 200, "the steady route is served");
        JsonNode quarantined = awaitQuarantined("bad");
        assertThat(quarantined.path("nodeGroup").asText()).isEqualTo("edge");
        assertThat(quarantined.path("detail").asText()).as("Envoy's own error").contains("invalid repetition size");
        assertThat(quarantined.path("proxyId").asText()).startsWith("nack-");
        // A new cluster Envoy refused is kept out, with the route that sends to it; the NACK named it
        // among all the clusters of the first response, so nothing else is blamed.
        JsonNode cluster = awaitQuarantined("clusters", "flaky");
        assertThat(cluster.path("detail").asText()).contains("flaky");
        assertThat(api.get("/api/v1/routes/flaky").json().path("status").path("quarantined").path("detail").asText())
            .contains("sends traffic to cluster flaky");
        assertThat(api.get("/api/v1/clusters/demo").json().has("status")).isFalse();
        assertThat(status(listenerPort, "/flaky/x")).isEqualTo(404);
        assertThat(metric(controlPlane, "embassy_controlplane_quarantined_resources")).isEqualTo(3.0);

        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread load = Thread.ofPlatform().start(() -> {
          while (running.get()) {
            (status(listenerPort, "/steady/x") == 200 ? ok : failed).incrementAndGet();
          }
        });
        try {
          // Another team's new route: applied on both Envoys when its ?wait= write returns.
          AdminApiFixture.Response created = api.send("POST", "/api/v1/routes?wait=5s", "application/json",
              route("team-b-0", "PathPrefix", "/team-b-0"), AdminApiFixture.ADMIN_TOKEN, Map.of());
          assertThat(created.status()).as(created.toString()).isEqualTo(201);
          assertThat(created.header("Embassy-Applied")).as(created.toString()).isEqualTo("2/2");
          assertThat(created.header("Embassy-Quarantined")).isNull();
          assertThat(status(listenerPort, "/team-b-0/x")).as("right after the write returned").isEqualTo(200);
          // And in the usual time: write → 404 turns 200 at Envoy, as the gateway benchmarks time it.
          java.util.List<Double> millis = new java.util.ArrayList<>();
          for (int i = 1; i <= 10; i++) {
            long started = System.nanoTime();
            assertThat(api.send("POST", "/api/v1/routes", "application/json", route("team-b-" + i, "PathPrefix", "/team-b-" + i),
                AdminApiFixture.ADMIN_TOKEN, Map.of()).status()).isEqualTo(201);
            int path = i;
            await(() -> status(listenerPort, "/team-b-" + path + "/x") == 200, "team-b-" + i + " routable");
            millis.add((System.nanoTime() - started) / 1e6);
          }
          java.util.Collections.sort(millis);
          System.out.printf("nack isolation: write → routable with a route quarantined, 10 writes: median %.1f ms, max %.1f ms%n",
              millis.get(5), millis.get(9));
          assertThat(millis.get(9)).as("write → routable, slowest of 10 (ms)").isLessThan(1_000.0);
          assertThat(api.get("/api/v1/routes/bad").json().path("status").path("quarantined").path("detail").asText())
              .as("still quarantined").contains("invalid repetition size");

          // The fix: a regex Envoy accepts. The quarantine lifts and the route serves.
          AdminApiFixture.Response fixed = api.send("PUT", "/api/v1/routes/bad?wait=5s", "application/json",
              route("bad", "RegularExpression", "/bad/a+"), AdminApiFixture.ADMIN_TOKEN, Map.of());
          assertThat(fixed.status()).as(fixed.toString()).isEqualTo(200);
          assertThat(fixed.header("Embassy-Applied")).isEqualTo("2/2");
          assertThat(fixed.header("Embassy-Quarantined")).isNull();
          assertThat(status(listenerPort, "/bad/aaa")).isEqualTo(200);
          AdminApiFixture.Response get = api.get("/api/v1/routes/bad");
          assertThat(get.json().has("status")).as(get.toString()).isFalse();
          // The cluster fixed: it and its route are served.
          AdminApiFixture.Response clusterFixed = api.send("PUT", "/api/v1/clusters/flaky?wait=5s", "application/json",
              flakyCluster(backend.port(), 50), AdminApiFixture.ADMIN_TOKEN, Map.of());
          assertThat(clusterFixed.status()).as(clusterFixed.toString()).isEqualTo(200);
          await(() -> status(listenerPort, "/flaky/x") == 200, "the flaky route serves once its cluster is fixed");
          await(() -> api.get("/api/v1/nacks").json().path("quarantined").isEmpty(), "nothing quarantined");
          assertThat(api.get("/api/v1/clusters/flaky").json().has("status")).isFalse();
          assertThat(metric(controlPlane, "embassy_controlplane_quarantined_resources")).isEqualTo(0.0);

          // What validation cannot know: the Envoys' file system. An access log in a directory the
          // Envoy hosts lack is NACKed by name; the listener's last good version keeps serving, the
          // write says so, and the gateway shows why.
          AdminApiFixture.Response logged = api.send("PATCH", "/api/v1/gateways/edge?wait=2s", "application/merge-patch+json",
              "{\"accessLog\":{\"path\":\"/nonexistent-embassy-dir/access.log\"}}", AdminApiFixture.ADMIN_TOKEN, Map.of());
          assertThat(logged.status()).as(logged.toString()).isEqualTo(200);
          assertThat(logged.header("Embassy-Quarantined")).as(logged.toString()).isEqualTo("gateways/edge");
          JsonNode gatewayStatus = awaitQuarantined("gateways", "edge");
          assertThat(gatewayStatus.path("detail").asText()).contains("unable to open file");
          assertThat(status(listenerPort, "/steady/x")).isEqualTo(200);
          // A body read with its status can be written back: writes ignore status.
          JsonNode withStatus = api.get("/api/v1/gateways/edge").json();
          assertThat(withStatus.has("status")).isTrue();
          ((com.fasterxml.jackson.databind.node.ObjectNode) withStatus).remove("accessLog");
          AdminApiFixture.Response restored = api.send("PUT", "/api/v1/gateways/edge?wait=5s", "application/json", withStatus.toString(),
              AdminApiFixture.ADMIN_TOKEN, Map.of());
          assertThat(restored.status()).as(restored.toString()).isEqualTo(200);
          assertThat(restored.header("Embassy-Applied")).isEqualTo("2/2");
          await(() -> api.get("/api/v1/nacks").json().path("quarantined").isEmpty(), "the gateway is out of quarantine");
          assertThat(api.get("/api/v1/gateways/edge").json().has("status")).isFalse();
        } finally {
          running.set(false);
          load.join(5_000);
        }
        System.out.printf("nack isolation: %d steady requests, %d failed%n", ok.get(), failed.get());
        assertThat(ok.get()).isPositive();
        assertThat(failed.get()).as("failed steady requests").isZero();
        assertThat(api.get("/api/v1/nacks").json().path("items").size()).as("the NACKs are in the log").isPositive();
      }
    }
  }

  private static String route(String name, String type, String path) {
    return "{\"name\":\"" + name + "\",\"gateway\":\"edge\",\"rules\":[{\"matches\":[{\"path\":{\"type\":\"" + type + "\",\"value\":\"" + path
        + "\"}}],\"backendRefs\":[{\"cluster\":\"demo\"}]}]}";
  }

  private static String flakyCluster(int port, int maxEjectionPercent) {
    return "{\"name\":\"flaky\",\"discovery\":{\"static\":{\"endpoints\":[{\"address\":\"127.0.0.1\",\"port\":" + port + "}]}},"
        + "\"outlierDetection\":{\"maxEjectionPercent\":" + maxEjectionPercent + "}}";
  }

  /** The test-only way past validation: the stored spec (current and its history entry) rewritten in SQL. */
  private void bypassValidation(String kind, String name, String from, String to) throws Exception {
    try (Connection connection = api.dataSource().getConnection(); Statement statement = connection.createStatement()) {
      for (String table : new String[] {"config_resource", "config_resource_history"}) {
        int updated = statement.executeUpdate("UPDATE " + table + " SET spec = replace(spec::text, '" + from + "', '" + to + "')::jsonb"
            + " WHERE kind = '" + kind + "' AND name = '" + name + "' AND spec::text LIKE '%" + from + "%'");
        assertThat(updated).as(table + " " + kind + "/" + name).isPositive();
      }
    }
  }

  private JsonNode awaitQuarantined(String route) throws Exception {
    return awaitQuarantined("routes", route);
  }

  private JsonNode awaitQuarantined(String collection, String name) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      AdminApiFixture.Response get = api.get("/api/v1/" + collection + "/" + name);
      JsonNode status = get.json().path("status").path("quarantined");
      if (!status.isMissingNode()) {
        assertThat(get.header("Embassy-Quarantined")).isEqualTo(collection + "/" + name);
        JsonNode listed = api.get("/api/v1/nacks").json().path("quarantined");
        assertThat(listed).anySatisfy(q -> assertThat(q.path("kind").asText() + "/" + q.path("name").asText()).isEqualTo(collection + "/" + name));
        return status;
      }
      Thread.sleep(20);
    }
    throw new AssertionError(collection + "/" + name + " was never reported quarantined");
  }

  private static double metric(dev.embassy.controlplane.ControlPlane controlPlane, String name) {
    for (String line : controlPlane.metrics().scrape().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new AssertionError("no metric " + name);
  }

  private static EnvoyProcess envoy(String id, String apiType, int xdsPort) {
    return EnvoyProcess.start(RepoPaths.envoyBootstrap("edge.yaml"), Map.of(
        "ENVOY_NODE_ID", id, "ENVOY_NODE_GROUP", "edge", "ENVOY_XDS_API_TYPE", apiType,
        "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(xdsPort)));
  }

  private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(2);
    }
  }

  private static int status(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
