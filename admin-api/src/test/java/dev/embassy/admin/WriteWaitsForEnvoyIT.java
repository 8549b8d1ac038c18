package dev.embassy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.config.store.ProxyStatuses;
import dev.embassy.controlplane.ConfigSync;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.controlplane.source.ConfigFollower;
import dev.embassy.controlplane.status.ControlPlaneMetrics;
import dev.embassy.controlplane.status.ProxyStatusReporter;
import dev.embassy.controlplane.xds.AdsServer;
import dev.embassy.controlplane.xds.NackAwareConfigWatcher;
import dev.embassy.controlplane.xds.ProxyRegistry;
import dev.embassy.controlplane.xds.ServedRevisions;
import dev.embassy.controlplane.xds.SnapshotPublisher;
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

      SnapshotPublisher publisher = new SnapshotPublisher();
      ServedRevisions served = new ServedRevisions();
      ControlPlaneMetrics metrics = new ControlPlaneMetrics();
      ConfigSync sync = new ConfigSync(publisher, "127.0.0.1", EndpointSource.NONE, metrics, served);
      ProxyStatusReporter[] reporter = new ProxyStatusReporter[1];
      ProxyRegistry registry = new ProxyRegistry(Clock.systemUTC(), metrics, served, nack -> reporter[0].nack(nack));
      reporter[0] = new ProxyStatusReporter("it-replica", registry, new ProxyStatuses(api.dataSource()), served::latest);
      try (ConfigFollower follower = new ConfigFollower(api.dataSource(), Duration.ofMillis(10), sync).start();
          ProxyStatusReporter ignored = reporter[0].start();
          AdsServer ads = AdsServer.start("127.0.0.1", 0, new NackAwareConfigWatcher(publisher.cache(), registry), List.of(registry));
          EnvoyProcess envoy = EnvoyProcess.start(RepoPaths.envoyBootstrap("edge.yaml"), Map.of(
              "ENVOY_NODE_ID", "wait-it", "ENVOY_NODE_GROUP", "edge", "ENVOY_XDS_API_TYPE", "DELTA_GRPC",
              "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(ads.port())))) {
        envoy.awaitReady(Duration.ofSeconds(30));
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
        follower.close();
        AdminApiFixture.Response stuck = api.send("PATCH", "/api/v1/routes/demo?wait=300ms", "application/merge-patch+json",
            "{\"hostnames\":[\"stuck.example.com\"]}", AdminApiFixture.ADMIN_TOKEN, Map.of());
        assertThat(stuck.status()).isEqualTo(200);
        assertThat(stuck.header("Embassy-Applied")).isEqualTo("0/1");
        assertThat(stuck.header("Embassy-Pending-Proxies")).isEqualTo("wait-it");
      }
    }
  }

  private static int status(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
