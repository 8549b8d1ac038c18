package dev.embassy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.config.store.ProxyStatuses;
import dev.embassy.controlplane.ConfigSync;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.config.store.ConfigFollower;
import dev.embassy.controlplane.status.ControlPlaneMetrics;
import dev.embassy.controlplane.status.ProxyStatusReporter;
import dev.embassy.controlplane.xds.AdsServer;
import dev.embassy.controlplane.xds.ProxyRegistry;
import dev.embassy.controlplane.xds.ServedRevisions;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.RepoPaths;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The whole product in one test: a write through the admin API with {@code ?wait=5s} returns only
 * once the real Envoy runs it, so the very next request through Envoy already sees the change;
 * and the revision reports "applied on 1 of 1 proxies".
 */
class WriteWaitsForEnvoyIT extends AdminApiTestCase {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void writeWithWaitReturnsWhenEnvoyRunsIt() throws Exception {
    int listenerPort = FreePorts.one();
    try (DemoBackend backend = DemoBackend.start("demo")) {
      String seed = """
          {"clusters":[{"name":"demo","discovery":{"static":{"endpoints":[{"address":"127.0.0.1","port":%d}]}}}],
           "gateways":[{"name":"edge","nodeGroup":"edge","listeners":[{"name":"http","port":%d}]}],
           "routes":[{"name":"demo","gateway":"edge","rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/v1"}}],"backendRefs":[{"cluster":"demo"}]}]}]}
          """.formatted(backend.port(), listenerPort);
      assertThat(api.send("POST", "/api/v1/config:apply", "application/json", seed, AdminApiFixture.ADMIN_TOKEN, Map.of()).status()).isEqualTo(200);

      try (ControlPlane controlPlane = ControlPlane.start(api);
          EnvoyProcess envoy = controlPlane.envoy("wait-it", "DELTA_GRPC")) {
        envoy.awaitReady(Duration.ofSeconds(30));
        awaitReported("wait-it");
        assertThat(status(listenerPort, "/v2/x")).isEqualTo(404);

        for (int i = 2; i <= 6; i++) {
          String route = "{\"rules\":[{\"matches\":[{\"path\":{\"type\":\"PathPrefix\",\"value\":\"/v" + i + "\"}}],\"backendRefs\":[{\"cluster\":\"demo\"}]}]}";
          AdminApiFixture.Response patched = api.send("PATCH", "/api/v1/routes/demo?wait=5s", "application/merge-patch+json", route,
              AdminApiFixture.ADMIN_TOKEN, Map.of());
          assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
          assertThat(patched.header("Embassy-Applied")).isEqualTo("1/1");
          assertThat(patched.header("Embassy-Pending-Proxies")).isNull();
          // No polling: when the write returns, Envoy already routes the new path.
          assertThat(status(listenerPort, "/v" + i + "/x")).as("right after the write returned").isEqualTo(200);
          assertThat(status(listenerPort, "/v" + (i - 1) + "/x")).isEqualTo(404);
        }

        String revision = api.get("/api/v1/revisions?limit=1").json().path("items").get(0).path("id").asText();
        assertThat(api.get("/api/v1/revisions/" + revision).json().path("appliedOn").path("applied").asInt()).isEqualTo(1);
        assertThat(api.get("/api/v1/proxies").json().path("items").get(0).path("appliedRevision").asText()).isEqualTo(revision);

        // When the control plane stops following the store, the wait runs out and the answer names
        // the proxy that has not caught up.
        controlPlane.follower().close();
        AdminApiFixture.Response stuck = api.send("PATCH", "/api/v1/routes/demo?wait=300ms", "application/merge-patch+json",
            "{\"hostnames\":[\"stuck.example.com\"]}", AdminApiFixture.ADMIN_TOKEN, Map.of());
        assertThat(stuck.status()).isEqualTo(200);
        assertThat(stuck.header("Embassy-Applied")).isEqualTo("0/1");
        assertThat(stuck.header("Embassy-Pending-Proxies")).isEqualTo("wait-it");
      }
    }
  }

  /**
   * Routes and clusters are added, reordered and removed under steady load, each change applied
   * with ?wait: not one request fails, neither on the route that stays nor on each new route
   * right after the write that created it returned (make-before-break: its cluster and endpoints
   * are served and ACKed before the route counts as applied).
   */
  @Test
  void churnUnderLoadFailsNoRequest() throws Exception {
    int listenerPort = FreePorts.one();
    try (DemoBackend backend = DemoBackend.start("churn")) {
      assertThat(apply(churnDocument(backend.port(), listenerPort, 0), "").status()).isEqualTo(200);
      try (ControlPlane controlPlane = ControlPlane.start(api);
          EnvoyProcess envoy = controlPlane.envoy("churn-it", "GRPC")) {
        envoy.awaitReady(Duration.ofSeconds(30));
        awaitReported("churn-it");
        java.util.concurrent.atomic.AtomicLong ok = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread load = Thread.ofPlatform().start(() -> {
          while (running.get()) {
            try {
              (status(listenerPort, "/stable/x") == 200 ? ok : failed).incrementAndGet();
            } catch (Exception e) {
              failed.incrementAndGet();
            }
          }
        });
        int newRouteFailures = 0;
        for (int step = 1; step <= 15; step++) {
          AdminApiFixture.Response applied = apply(churnDocument(backend.port(), listenerPort, step), "?prune=true&wait=5s");
          assertThat(applied.status()).as(applied.toString()).isEqualTo(200);
          assertThat(applied.json().path("convergence").path("complete").asBoolean()).as(applied.toString()).isTrue();
          int code = status(listenerPort, "/new-" + step + "/x");
          if (code != 200) {
            newRouteFailures++;
            System.out.printf("churn step %d: new route answered %d right after apply returned %s%n", step, code, applied.json().path("convergence"));
          }
        }
        running.set(false);
        load.join(5_000);
        System.out.printf("churn: %d steady requests, %d failed; new routes failing right after apply: %d%n", ok.get(), failed.get(), newRouteFailures);
        assertThat(ok.get()).isPositive();
        assertThat(failed.get()).as("failed steady requests during churn").isZero();
        assertThat(newRouteFailures).as("new routes not serving when their write returned").isZero();
      }
    }
  }

  /**
   * Step n: the stable route, a new route to a new cluster, and the rules of a reordered route
   * rotated; the previous step's new route and cluster are gone (pruned).
   */
  private static String churnDocument(int backendPort, int listenerPort, int step) {
    String endpoint = "{\"static\":{\"endpoints\":[{\"address\":\"127.0.0.1\",\"port\":" + backendPort + "}]}}";
    List<String> rules = new java.util.ArrayList<>(List.of("/a", "/b", "/c"));
    java.util.Collections.rotate(rules, step);
    String reordered = rules.stream()
        .map(p -> "{\"matches\":[{\"path\":{\"type\":\"PathPrefix\",\"value\":\"" + p + "\"}}],\"backendRefs\":[{\"cluster\":\"stable\"}]}")
        .collect(java.util.stream.Collectors.joining(","));
    return "{\"clusters\":[{\"name\":\"stable\",\"discovery\":" + endpoint + "},{\"name\":\"new-" + step + "\",\"discovery\":" + endpoint + "}],"
        + "\"gateways\":[{\"name\":\"edge\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"http\",\"port\":" + listenerPort + "}]}],"
        + "\"routes\":[{\"name\":\"stable\",\"gateway\":\"edge\",\"rules\":[{\"matches\":[{\"path\":{\"type\":\"PathPrefix\",\"value\":\"/stable\"}}],\"backendRefs\":[{\"cluster\":\"stable\"}]}]},"
        + "{\"name\":\"reordered\",\"gateway\":\"edge\",\"rules\":[" + reordered + "]},"
        + "{\"name\":\"new-" + step + "\",\"gateway\":\"edge\",\"rules\":[{\"matches\":[{\"path\":{\"type\":\"PathPrefix\",\"value\":\"/new-" + step + "\"}}],\"backendRefs\":[{\"cluster\":\"new-" + step + "\"}]}]}]}";
  }

  /**
   * ?wait covers the proxies the control plane has reported; one that connected a moment ago may
   * not be reported yet, so the tests wait until it is before they rely on waits. They also wait
   * until it runs the latest revision: an Envoy that connects before its node group has config is
   * answered at once with nothing, goes LIVE, and only then receives its listeners.
   */
  private void awaitReported(String proxyId) throws InterruptedException {
    String latest = api.get("/api/v1/revisions?limit=1").json().path("items").get(0).path("id").asText();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      for (var proxy : api.get("/api/v1/proxies").json().path("items")) {
        if (proxy.path("proxyId").asText().equals(proxyId) && proxy.path("appliedRevision").asText().equals(latest)) {
          return;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("proxy " + proxyId + " never reported running revision " + latest);
  }

  private AdminApiFixture.Response apply(String document, String query) {
    return api.send("POST", "/api/v1/config:apply" + query, "application/json", document, AdminApiFixture.ADMIN_TOKEN, Map.of());
  }

  /** A control-plane replica in this JVM, wired as ControlPlaneMain wires it, over the test's database. */
  private record ControlPlane(dev.embassy.controlplane.ControlPlane replica) implements AutoCloseable {
    static ControlPlane start(AdminApiFixture api) {
      return new ControlPlane(dev.embassy.controlplane.ControlPlane.start(dev.embassy.controlplane.ControlPlaneConfig.fromEnvironment(Map.of(
          "EMBASSY_XDS_PORT", "0", "EMBASSY_STATUS_PORT", "0", "EMBASSY_LISTENER_ADDRESS", "127.0.0.1")),
          api.dataSource(), "it-replica"));
    }

    ConfigFollower follower() {
      return replica.follower();
    }

    EnvoyProcess envoy(String id, String apiType) {
      return EnvoyProcess.start(RepoPaths.envoyBootstrap("edge.yaml"), Map.of(
          "ENVOY_NODE_ID", id, "ENVOY_NODE_GROUP", "edge", "ENVOY_XDS_API_TYPE", apiType,
          "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(replica.xdsPort())));
    }

    @Override
    public void close() {
      replica.close();
    }
  }

  private static int status(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
