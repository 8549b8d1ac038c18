package dev.embassy.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class StatusHttpServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthIsAlways200ReadinessFollowsTheReportAndTheBodyIsJsonInOrder() throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "degraded");
    body.put("problems", List.of("store \"main\" unreachable"));
    AtomicReference<StatusReport> status = new AtomicReference<>(new StatusReport(false, body));
    try (StatusHttpServer server = StatusHttpServer.start("127.0.0.1", 0, status::get, () -> "up 1\n")) {
      HttpResponse<String> health = get(server.port(), "/healthz");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(health.body()).isEqualTo("{\"status\":\"degraded\",\"problems\":[\"store \\\"main\\\" unreachable\"]}");
      assertThat(get(server.port(), "/readyz").statusCode()).isEqualTo(503);

      status.set(new StatusReport(true, Map.of("status", "ok")));
      HttpResponse<String> ready = get(server.port(), "/readyz");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).isEqualTo("{\"status\":\"ok\"}");

      HttpResponse<String> metrics = get(server.port(), "/metrics");
      assertThat(metrics.body()).isEqualTo("up 1\n");
      assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    }
  }
}
