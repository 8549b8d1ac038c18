package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Routing features that existed but had only been checked by envoy --mode validate, now shown by
 * requests through a real Envoy on generated config, one Envoy serving all of them: header,
 * query, method and regex matches; a weighted split measured over 1,000 requests; a mirror's
 * share; redirects; URL rewrites; request and response header modifiers; a CORS preflight and an
 * actual CORS request.
 */
@ExtendWith(PostgresExtension.class)
class RoutingFeaturesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static final String CONFIG = """
      clusters:
        - {name: stable, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %1$d}]}}}
        - {name: canary, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %2$d}]}}}
        - {name: shadow, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %3$d}]}}}
      gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: ${LISTENER_PORT}}]}]
      routes:
        - name: matches
          gateway: edge
          rules:
            - matches: [{path: {type: PathPrefix, value: /m}, headers: [{name: x-tier, value: gold}]}]
              backendRefs: [{cluster: canary}]
            - matches: [{path: {type: PathPrefix, value: /m}, queryParams: [{name: v, value: "2"}]}]
              backendRefs: [{cluster: shadow}]
            - matches: [{path: {type: PathPrefix, value: /m}, method: DELETE}]
              filters: [{type: DirectResponse, directResponse: {status: 405}}]
            - matches: [{path: {type: RegularExpression, value: "/users/[0-9]+"}}]
              backendRefs: [{cluster: canary}]
            - matches: [{path: {type: PathPrefix, value: /m}}, {path: {type: PathPrefix, value: /users}}]
              backendRefs: [{cluster: stable}]
        - name: split
          gateway: edge
          rules:
            - matches: [{path: {type: PathPrefix, value: /split}}]
              backendRefs: [{cluster: stable, weight: 80}, {cluster: canary, weight: 20}]
        - name: mirrored
          gateway: edge
          rules:
            - matches: [{path: {type: PathPrefix, value: /mirrored}}]
              backendRefs: [{cluster: stable}]
              filters: [{type: RequestMirror, requestMirror: {cluster: shadow, percent: 25}}]
        - name: moves
          gateway: edge
          rules:
            - matches: [{path: {type: PathPrefix, value: /old}}]
              filters: [{type: RequestRedirect, requestRedirect: {hostname: new.example.com, path: {type: ReplacePrefixMatch, value: /new}, statusCode: 301}}]
            - matches: [{path: {type: PathPrefix, value: /api/v1}}]
              filters: [{type: URLRewrite, urlRewrite: {hostname: backend.internal, path: {type: ReplacePrefixMatch, value: /v2}}}]
              backendRefs: [{cluster: stable}]
        - name: headers
          gateway: edge
          rules:
            - matches: [{path: {type: PathPrefix, value: /headers}}]
              backendRefs: [{cluster: stable}]
              filters:
                - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-env, value: prod}], add: [{name: x-added, value: "yes"}], remove: [x-debug]}}
                - {type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: cache-control, value: no-store}], remove: [x-backend]}}
        - name: cors
          gateway: edge
          rules:
            - matches: [{path: {type: PathPrefix, value: /cors}}]
              backendRefs: [{cluster: stable}]
              filters: [{type: CORS, cors: {allowOrigins: ["https://app.example.com"], allowMethods: [GET, PUT], allowHeaders: [content-type], maxAge: 10m}}]
      """;

  @Test
  void routingFeaturesWorkOnRealTraffic(TestDatabase database) throws Exception {
    try (DemoBackend stable = DemoBackend.start("stable");
        DemoBackend canary = DemoBackend.start("canary");
        DemoBackend shadow = DemoBackend.start("shadow");
        Gateway gateway = Gateway.start(database, Map.of())) {
      gateway.envoy().awaitReady(Duration.ofSeconds(30));
      gateway.apply(CONFIG.formatted(stable.port(), canary.port(), shadow.port()));

      // Matches: header, query, method, regex, and the fallback.
      assertThat(backend(gateway.get("/m/x", Map.of("x-tier", "gold")))).isEqualTo("canary");
      assertThat(backend(gateway.get("/m/x?v=2", Map.of()))).isEqualTo("shadow");
      assertThat(send(gateway, "DELETE", "/m/x", Map.of()).statusCode()).isEqualTo(405);
      assertThat(backend(gateway.get("/users/42", Map.of()))).isEqualTo("canary");
      assertThat(backend(gateway.get("/users/abc", Map.of()))).as("the regex must match the whole path").isEqualTo("stable");
      assertThat(backend(gateway.get("/m/x", Map.of("x-tier", "silver")))).isEqualTo("stable");

      // Weighted split, 80/20, within ±5 points over 1,000 requests.
      int toCanary = 0;
      for (int i = 0; i < 1000; i++) {
        if (backend(gateway.get("/split/" + i, Map.of())).equals("canary")) {
          toCanary++;
        }
      }
      System.out.printf("weighted split 80/20: %d of 1000 to canary%n", toCanary);
      assertThat(toCanary).isBetween(150, 250);

      // Mirror: 25% of requests copied to shadow, the client answered by stable.
      long shadowBefore = shadow.requestCount();
      for (int i = 0; i < 400; i++) {
        assertThat(backend(gateway.get("/mirrored/" + i, Map.of()))).isEqualTo("stable");
      }
      Thread.sleep(500);
      long mirrored = shadow.requestCount() - shadowBefore;
      System.out.printf("mirror at 25%%: %d of 400 copied%n", mirrored);
      assertThat(mirrored).isBetween(60L, 140L);

      // Redirect and rewrite.
      HttpResponse<String> moved = gateway.get("/old/page?q=1", Map.of());
      assertThat(moved.statusCode()).isEqualTo(301);
      assertThat(moved.headers().firstValue("location")).hasValue("http://new.example.com/new/page?q=1");
      JsonNode rewritten = JSON.readTree(gateway.get("/api/v1/items", Map.of()).body());
      assertThat(rewritten.path("path").asText()).isEqualTo("/v2/items");
      assertThat(rewritten.path("headers").path("host").asText()).isEqualTo("backend.internal");

      // Header modifiers, both ways.
      HttpResponse<String> modified = gateway.get("/headers", Map.of("x-debug", "1", "x-env", "dev"));
      JsonNode seen = JSON.readTree(modified.body()).path("headers");
      assertThat(seen.path("x-env").asText()).isEqualTo("prod");
      assertThat(seen.path("x-added").asText()).isEqualTo("yes");
      assertThat(seen.has("x-debug")).isFalse();
      assertThat(modified.headers().firstValue("cache-control")).hasValue("no-store");
      assertThat(modified.headers().firstValue("x-backend")).isEmpty();

      // CORS: a preflight answered by Envoy, an actual request with the allow-origin header.
      long stableBefore = stable.requestCount();
      HttpResponse<String> preflight = send(gateway, "OPTIONS", "/cors", Map.of("origin", "https://app.example.com",
          "access-control-request-method", "PUT"));
      assertThat(preflight.statusCode()).isEqualTo(200);
      assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example.com");
      assertThat(preflight.headers().firstValue("access-control-allow-methods")).hasValue("GET,PUT");
      assertThat(preflight.headers().firstValue("access-control-max-age")).hasValue("600");
      assertThat(stable.requestCount()).as("the preflight never reaches the backend").isEqualTo(stableBefore);
      HttpResponse<String> actual = gateway.get("/cors", Map.of("origin", "https://app.example.com"));
      assertThat(actual.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example.com");
      HttpResponse<String> foreign = gateway.get("/cors", Map.of("origin", "https://evil.example.com"));
      assertThat(foreign.headers().firstValue("access-control-allow-origin")).isEmpty();
    }
  }

  private static String backend(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("backend").asText();
  }

  private static HttpResponse<String> send(Gateway gateway, String method, String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.listenerPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
