package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request ids, the JSON access log, the stats listener and response compression, through a real
 * Envoy on generated config: the id a client gets back is the one the backend saw and the one in
 * the access log line; Prometheus text is scrapeable on the stats port while the admin
 * interface's other endpoints are not reachable through it; responses are compressed with the
 * algorithm the client accepts.
 */
@ExtendWith(PostgresExtension.class)
class ObservabilityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void oneRequestIdJoinsTheResponseTheBackendAndTheAccessLog(TestDatabase database, @TempDir Path logs) throws Exception {
    Path accessLog = logs.resolve("access.log");
    int statsPort = FreePorts.one();
    try (DemoBackend app = DemoBackend.start("app");
        Gateway gateway = Gateway.start(database, Map.of())) {
      gateway.envoy().awaitReady(Duration.ofSeconds(30));
      gateway.apply("""
          clusters: [{name: app, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}]
          gateways:
            - name: edge
              nodeGroup: edge
              listeners: [{name: http, port: ${LISTENER_PORT}}]
              accessLog: {path: %s}
              stats: {port: %d, adminPort: %d}
              compression: {algorithms: [brotli, gzip, zstd], minBytes: 100, contentTypes: [application/json]}
          routes: [{name: app, gateway: edge, rules: [{backendRefs: [{cluster: app}]}]}]
          """.formatted(app.port(), accessLog, statsPort, gateway.envoy().adminPort()));

      // A client's own x-request-id is not trusted at the edge: Envoy sets a fresh one.
      HttpResponse<String> response = gateway.get("/orders/7?x=1", Map.of("x-request-id", "spoofed", "user-agent", "observability-it"));
      assertThat(response.statusCode()).isEqualTo(200);
      String id = response.headers().firstValue("x-request-id").orElseThrow();
      assertThat(id).isNotEqualTo("spoofed").matches("[0-9a-f-]{36}");
      assertThat(JSON.readTree(response.body()).path("headers").path("x-request-id").asText()).as("what the backend saw").isEqualTo(id);

      JsonNode line = awaitLogLine(accessLog, id);
      assertThat(line.path("status").asText()).isEqualTo("200");
      assertThat(line.path("method").asText()).isEqualTo("GET");
      assertThat(line.path("path").asText()).isEqualTo("/orders/7?x=1");
      assertThat(line.path("route").asText()).isEqualTo("app/0/0");
      assertThat(line.path("cluster").asText()).isEqualTo("app");
      assertThat(line.path("client").asText()).isEqualTo("127.0.0.1");
      assertThat(line.path("user_agent").asText()).isEqualTo("observability-it");
      assertThat(line.path("duration_ms").asText()).matches("[0-9]+");

      // The stats listener: Prometheus text, and nothing else of the admin interface.
      HttpResponse<String> stats = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats/prometheus")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(stats.statusCode()).isEqualTo(200);
      assertThat(stats.body()).contains("# TYPE envoy_http_downstream_rq_total counter").contains("envoy_cluster_upstream_rq_total{envoy_cluster_name=\"app\"}");
      for (String path : List.of("/ready", "/config_dump", "/stats", "/stats/prometheus/../config_dump")) {
        int code = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + path)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
        assertThat(code).as(path + " is not reachable through the stats listener").isEqualTo(404);
      }
      int post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/quitquitquit")).POST(HttpRequest.BodyPublishers.noBody())
          .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
      assertThat(post).isEqualTo(404);
      assertThat(gateway.envoy().adminPort()).isPositive();
      assertThat(gateway.get("/still-up", Map.of()).statusCode()).as("Envoy still serving").isEqualTo(200);

      // Compression: each algorithm when it is the one accepted, the first listed when several are,
      // none when the client accepts none.
      HttpResponse<byte[]> gzip = bytes(gateway, "/compressed", "gzip");
      assertThat(gzip.headers().firstValue("content-encoding")).hasValue("gzip");
      String unzipped = new String(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzip.body())).readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
      assertThat(JSON.readTree(unzipped).path("backend").asText()).isEqualTo("app");
      assertThat(bytes(gateway, "/compressed", "br").headers().firstValue("content-encoding")).hasValue("br");
      assertThat(bytes(gateway, "/compressed", "zstd").headers().firstValue("content-encoding")).hasValue("zstd");
      assertThat(bytes(gateway, "/compressed", "gzip, zstd, br").headers().firstValue("content-encoding")).as("brotli is listed first").hasValue("br");
      HttpResponse<byte[]> identity = bytes(gateway, "/compressed", "identity");
      assertThat(identity.headers().firstValue("content-encoding")).isEmpty();
      assertThat(JSON.readTree(identity.body()).path("backend").asText()).isEqualTo("app");
    }
  }

  private static HttpResponse<byte[]> bytes(Gateway gateway, String path, String acceptEncoding) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.listenerPort() + path))
        .header("accept-encoding", acceptEncoding).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Envoy flushes access logs about once a second. */
  private static JsonNode awaitLogLine(Path log, String requestId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)) {
        for (String text : Files.readAllLines(log)) {
          JsonNode line = JSON.readTree(text);
          if (requestId.equals(line.path("request_id").asText())) {
            return line;
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no access log line with request id " + requestId + " in " + log);
  }
}
