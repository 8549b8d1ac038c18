package dev.embassy.controlplane.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.status.StatusHttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The control plane's health and metrics as its status port serves them. */
class ControlPlaneStatusTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readinessWaitsForConfigAndHealthSaysWhenTheStoreIsGone() throws Exception {
    AtomicReference<ControlPlaneHealth> health = new AtomicReference<>(new ControlPlaneHealth(true, -1, 0, java.util.List.of()));
    ControlPlaneMetrics metrics = new ControlPlaneMetrics();
    metrics.translated(Duration.ofMillis(12));
    metrics.pushed("type.googleapis.com/envoy.config.route.v3.RouteConfiguration");
    metrics.nacked("type.googleapis.com/envoy.config.route.v3.RouteConfiguration");
    try (StatusHttpServer server = StatusHttpServer.start("127.0.0.1", 0, () -> health.get().status(), metrics::scrape)) {
      assertThat(get(server.port(), "/readyz").statusCode()).isEqualTo(503);
      assertThat(get(server.port(), "/healthz").statusCode()).isEqualTo(200);

      health.set(new ControlPlaneHealth(false, 7, 2, java.util.List.of()));
      HttpResponse<String> degraded = get(server.port(), "/healthz");
      assertThat(degraded.statusCode()).isEqualTo(200);
      assertThat(degraded.body()).contains("\"status\":\"degraded\"", "\"servedRevision\":7", "\"connectedProxies\":2");
      assertThat(get(server.port(), "/readyz").statusCode()).isEqualTo(200);

      health.set(new ControlPlaneHealth(true, 7, 2, java.util.List.of("service web")));
      assertThat(get(server.port(), "/healthz").body())
          .contains("\"status\":\"degraded\"", "\"store\":\"ok\"", "\"discovery\":\"failing\"", "\"discoveryFailing\":[\"service web\"]");

      String scrape = get(server.port(), "/metrics").body();
      assertThat(scrape).contains(
          "embassy_controlplane_translation_seconds_count 1",
          "embassy_controlplane_pushes_total{type=\"RouteConfiguration\"} 1.0",
          "embassy_controlplane_nacks_total{type=\"RouteConfiguration\"} 1.0");
    }
  }
}
