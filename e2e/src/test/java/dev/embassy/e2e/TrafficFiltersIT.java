package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The route filters that shape traffic, each shown by requests through a real Envoy on the config
 * the control plane generates, one Envoy serving all of them at once: a direct response, fault
 * injection (abort, delay, and a share of the requests), an Envoy-local rate limit, a request
 * body limit; and a static endpoint named by DNS.
 */
@ExtendWith(PostgresExtension.class)
class TrafficFiltersIT {
  private static final String CONFIG = """
      clusters:
        - {name: app, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %1$d}]}}}
        - {name: app-by-name, discovery: {static: {endpoints: [{address: localhost, port: %1$d}]}}}
      gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: ${LISTENER_PORT}}]}]
      routes:
        - name: traffic
          gateway: edge
          rules:
            - matches: [{path: {type: Exact, value: /status}}]
              filters:
                - {type: DirectResponse, directResponse: {status: 418, body: "short and stout\\n"}}
                - {type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: content-type, value: text/plain}]}}
            - matches: [{path: {type: PathPrefix, value: /abort}}]
              backendRefs: [{cluster: app}]
              filters: [{type: FaultInjection, faultInjection: {abort: {status: 503}}}]
            - matches: [{path: {type: PathPrefix, value: /slow}}]
              backendRefs: [{cluster: app}]
              filters: [{type: FaultInjection, faultInjection: {delay: {duration: 300ms}}}]
            - matches: [{path: {type: PathPrefix, value: /flaky}}]
              backendRefs: [{cluster: app}]
              filters: [{type: FaultInjection, faultInjection: {abort: {status: 500, percent: 30}}}]
            - matches: [{path: {type: PathPrefix, value: /local}}]
              backendRefs: [{cluster: app}]
              filters: [{type: LocalRateLimit, localRateLimit: {requests: 3, per: 1m}}]
            - matches: [{path: {type: PathPrefix, value: /upload}}]
              backendRefs: [{cluster: app}]
              filters: [{type: RequestBodyLimit, requestBodyLimit: {maxBytes: 1024}}]
            - matches: [{path: {type: PathPrefix, value: /by-name}}]
              backendRefs: [{cluster: app-by-name}]
            - matches: [{path: {type: PathPrefix, value: /}}]
              backendRefs: [{cluster: app}]
      """;

  @Test
  void eachFilterShapesTheTrafficItIsOn(TestDatabase database) throws Exception {
    try (DemoBackend app = DemoBackend.start("app");
        Gateway gateway = Gateway.start(database, Map.of())) {
      gateway.envoy().awaitReady(Duration.ofSeconds(30));
      gateway.apply(CONFIG.formatted(app.port()));

      // Direct response: fixed status, body and header; the backend never sees it.
      long before = app.requestCount();
      HttpResponse<String> direct = gateway.get("/status", Map.of());
      assertThat(direct.statusCode()).isEqualTo(418);
      assertThat(direct.body()).isEqualTo("short and stout\n");
      assertThat(direct.headers().firstValue("content-type")).hasValue("text/plain");
      assertThat(app.requestCount()).isEqualTo(before);

      // Fault injection: every request aborted, every request held, a share aborted.
      HttpResponse<String> aborted = gateway.get("/abort/x", Map.of());
      assertThat(aborted.statusCode()).isEqualTo(503);
      assertThat(aborted.body()).contains("fault filter abort");
      assertThat(app.requestCount()).as("an aborted request never reaches the backend").isEqualTo(before);
      long started = System.nanoTime();
      assertThat(gateway.get("/other", Map.of()).statusCode()).isEqualTo(200);
      double plainMillis = (System.nanoTime() - started) / 1e6;
      started = System.nanoTime();
      assertThat(gateway.get("/slow/x", Map.of()).statusCode()).isEqualTo(200);
      double heldMillis = (System.nanoTime() - started) / 1e6;
      // Envoy's timers fire on its event loop's clock, which can run a millisecond ahead of ours.
      assertThat(heldMillis).as("delayed by the fault").isGreaterThanOrEqualTo(295);
      assertThat(plainMillis).as("a route without the fault").isLessThan(200);
      int failed = 0;
      int total = 400;
      for (int i = 0; i < total; i++) {
        if (gateway.get("/flaky/" + i, Map.of()).statusCode() == 500) {
          failed++;
        }
      }
      System.out.printf("fault injection: delay held a request %.1f ms (asked 300; undelayed %.1f ms); abort at 30%%: %d of %d aborted%n",
          heldMillis, plainMillis, failed, total);
      // 30% of 400: the binomial's standard deviation is 9.2, so ±40 is over four of them.
      assertThat(failed).isBetween(80, 160);
      // Routes without a fault are untouched.
      assertThat(gateway.get("/other", Map.of()).statusCode()).isEqualTo(200);

      // Local rate limit: 3 per minute, counted by this Envoy alone, then 429 with the draft headers.
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> allowed = gateway.get("/local/x", Map.of());
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("x-ratelimit-limit")).hasValue("3");
      }
      HttpResponse<String> limited = gateway.get("/local/x", Map.of());
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.headers().firstValue("x-ratelimit-remaining")).hasValue("0");
      assertThat(gateway.get("/other", Map.of()).statusCode()).as("other routes have no bucket").isEqualTo(200);

      // Request body limit: 1,024 bytes; over it 413 before the backend sees anything.
      assertThat(gateway.post("/upload", "x".repeat(1000), Map.of()).statusCode()).isEqualTo(200);
      long beforeUpload = app.requestCount();
      HttpResponse<String> tooLarge = gateway.post("/upload", "x".repeat(2000), Map.of());
      assertThat(tooLarge.statusCode()).isEqualTo(413);
      assertThat(app.requestCount()).isEqualTo(beforeUpload);
      assertThat(gateway.post("/other", "x".repeat(100_000), Map.of()).statusCode()).as("no limit on other routes").isEqualTo(200);

      // A static endpoint named by DNS: Envoy resolves it (STRICT_DNS), EDS could not carry it.
      long beforeByName = app.requestCount();
      assertThat(gateway.get("/by-name/x", Map.of()).statusCode()).isEqualTo(200);
      assertThat(app.requestCount()).isEqualTo(beforeByName + 1);
    }
  }
}
