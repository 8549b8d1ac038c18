package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.ScriptedBackend;
import dev.embassy.testsupport.TestDatabase;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Response caching through a real Envoy: a cacheable GET is answered from the cache (the backend
 * counts one request, the second answer carries Age), an answer without Cache-Control is not
 * cached, POST is never cached, and a route without responseCache caches nothing.
 */
@ExtendWith(PostgresExtension.class)
class ResponseCachingIT {
  @Test
  void cacheableGetsAreServedFromEnvoysCache(TestDatabase database) throws Exception {
    try (ScriptedBackend backend = ScriptedBackend.start();
        Gateway gateway = Gateway.start(database, Map.of())) {
      gateway.envoy().awaitReady(Duration.ofSeconds(30));
      gateway.apply("""
          clusters:
            - {name: app, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
          gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: ${LISTENER_PORT}}]}]
          routes:
            - name: catalog
              gateway: edge
              rules:
                - matches: [{path: {type: PathPrefix, value: /catalog}}]
                  responseCache: true
                  backendRefs: [{cluster: app}]
                - backendRefs: [{cluster: app}]
          """.formatted(backend.port()));

      HttpResponse<String> first = gateway.get("/catalog/items?maxAge=60", Map.of());
      HttpResponse<String> second = gateway.get("/catalog/items?maxAge=60", Map.of());
      System.out.printf("cache: first %s, second %s age=%s; backend saw %d%n", first.body().strip(), second.body().strip(),
          second.headers().firstValue("age").orElse("-"), backend.requests("/catalog/items?maxAge=60"));
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(second.statusCode()).isEqualTo(200);
      assertThat(second.body()).isEqualTo(first.body()).isEqualTo("attempt 1\n");
      assertThat(second.headers().firstValue("age")).isPresent();
      assertThat(backend.requests("/catalog/items?maxAge=60")).isEqualTo(1);

      // Not marked cacheable: every request reaches the backend.
      gateway.get("/catalog/live", Map.of());
      assertThat(gateway.get("/catalog/live", Map.of()).body()).isEqualTo("attempt 2\n");
      // POST is not cached even when the answer says it may be.
      gateway.post("/catalog/orders?maxAge=60", "{}", Map.of());
      assertThat(gateway.post("/catalog/orders?maxAge=60", "{}", Map.of()).body()).isEqualTo("attempt 2\n");
      // A rule without responseCache: the filter is off there.
      gateway.get("/other?maxAge=60", Map.of());
      assertThat(gateway.get("/other?maxAge=60", Map.of()).body()).isEqualTo("attempt 2\n");
      assertThat(backend.requests("/other?maxAge=60")).isEqualTo(2);
    }
  }
}
