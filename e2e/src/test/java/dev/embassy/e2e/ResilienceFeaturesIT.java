package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.ScriptedBackend;
import dev.embassy.testsupport.TestDatabase;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Timeouts, retries and circuit breakers through a real Envoy on generated config, against a
 * backend that is slow or fails on request: a 504 at the configured time, a flaky backend retried
 * until it answers (the attempts counted at the backend), and 503s with x-envoy-overloaded once a
 * circuit breaker's limit is reached.
 */
@ExtendWith(PostgresExtension.class)
class ResilienceFeaturesIT {
  @Test
  void timeoutsRetriesAndCircuitBreakersActOnRealTraffic(TestDatabase database) throws Exception {
    try (ScriptedBackend backend = ScriptedBackend.start();
        Gateway gateway = Gateway.start(database, Map.of())) {
      gateway.envoy().awaitReady(Duration.ofSeconds(30));
      gateway.apply("""
          clusters:
            - {name: app, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %1$d}]}}}
            - name: guarded
              discovery: {static: {endpoints: [{address: 127.0.0.1, port: %1$d}]}}
              circuitBreaker: {maxConnections: 1, maxPendingRequests: 1, maxRequests: 1}
          gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: ${LISTENER_PORT}}]}]
          routes:
            - name: resilience
              gateway: edge
              rules:
                - matches: [{path: {type: PathPrefix, value: /timeout}}]
                  backendRefs: [{cluster: app}]
                  timeouts: {request: 500ms}
                - matches: [{path: {type: PathPrefix, value: /retried}}]
                  backendRefs: [{cluster: app}]
                  retry: {attempts: 2, backoff: 10ms, codes: [503]}
                - matches: [{path: {type: PathPrefix, value: /guarded}}]
                  backendRefs: [{cluster: guarded}]
                - matches: [{path: {type: PathPrefix, value: /}}]
                  backendRefs: [{cluster: app}]
          """.formatted(backend.port()));

      // Timeout: a backend that takes 3 s gets 504 at 500 ms.
      long started = System.nanoTime();
      HttpResponse<String> timedOut = gateway.get("/timeout/x?delay=3000", Map.of());
      double waited = (System.nanoTime() - started) / 1e6;
      System.out.printf("route timeout 500ms: %d after %.0f ms%n", timedOut.statusCode(), waited);
      assertThat(timedOut.statusCode()).isEqualTo(504);
      assertThat(waited).isBetween(480.0, 1_500.0);

      // Retries: two 503s, then 200; the backend saw all three attempts.
      HttpResponse<String> retried = gateway.get("/retried/x?fail=2", Map.of());
      assertThat(retried.statusCode()).isEqualTo(200);
      assertThat(retried.body()).isEqualTo("attempt 3\n");
      assertThat(backend.requests("/retried/x?fail=2")).isEqualTo(3);
      // Three failures are one more than two retries: the client sees the last 503.
      assertThat(gateway.get("/retried/y?fail=3", Map.of()).statusCode()).isEqualTo(503);
      assertThat(backend.requests("/retried/y?fail=3")).isEqualTo(3);
      // Without a retry policy, one attempt.
      assertThat(gateway.get("/plain?fail=1", Map.of()).statusCode()).isEqualTo(503);
      assertThat(backend.requests("/plain?fail=1")).isEqualTo(1);

      // Circuit breaker: one request in flight, one pending; the rest overflow at once with 503.
      ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
      List<Future<HttpResponse<String>>> burst = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        int n = i;
        burst.add(clients.submit(() -> gateway.get("/guarded/" + n + "?delay=800", Map.of())));
      }
      int ok = 0;
      int overflowed = 0;
      for (Future<HttpResponse<String>> response : burst) {
        HttpResponse<String> answer = response.get();
        if (answer.statusCode() == 200) {
          ok++;
        } else if (answer.statusCode() == 503 && answer.headers().firstValue("x-envoy-overloaded").isPresent()) {
          overflowed++;
        }
      }
      clients.shutdown();
      System.out.printf("circuit breaker (1 request, 1 pending): %d of 8 served, %d overflowed with x-envoy-overloaded%n", ok, overflowed);
      assertThat(ok).isBetween(1, 3);
      assertThat(overflowed).isEqualTo(8 - ok);
    }
  }
}
