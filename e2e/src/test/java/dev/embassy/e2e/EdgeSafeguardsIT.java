package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.ScriptedBackend;
import dev.embassy.testsupport.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the edge does to requests before any backend sees them, through a real Envoy on generated
 * config, one Envoy serving every case: listener stream-idle and connection-idle timeouts, a
 * {@code 0s} route timeout lifting Envoy's 15 s default, API keys checked by the real
 * auth-service, and path normalisation that keeps {@code //} and {@code ..} from slipping a
 * request past a path-scoped client IP rule or auth policy. Requests whose bytes matter are
 * written to a socket by hand, so no client library tidies the path first.
 */
@ExtendWith(PostgresExtension.class)
class EdgeSafeguardsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CI_KEY = "ci-key-4f1c2a9e";
  private static final String REPORTER_KEY = "reporter-key-77b0d3";

  private static final String CONFIG = """
      clusters:
        - {name: scripted, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
        - {name: echo, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
      authPolicies:
        - name: api-keys
          apiKeys:
            keys:
              - {name: ci-bot, sha256: %s, scopes: [orders:read]}
              - {name: reporter, sha256: %s, scopes: [reports:read]}
          requirements: {scopes: [orders:read]}
          forwardClaims: [{claim: sub, header: x-user-id}]
          stripAuthorization: true
      gateways:
        - name: edge
          nodeGroup: edge
          listeners:
            - {name: http, port: ${LISTENER_PORT}}
            - {name: strict, port: %d, timeouts: {streamIdle: 1s, idle: 2s}}
      routes:
        - name: orders
          gateway: edge
          listener: http
          authPolicy: api-keys
          rules: [{matches: [{path: {type: PathPrefix, value: /orders}}], backendRefs: [{cluster: echo}]}]
        - name: open
          gateway: edge
          listener: http
          rules:
            - matches: [{path: {type: PathPrefix, value: /unlimited}}]
              backendRefs: [{cluster: scripted}]
              timeouts: {request: 0s}
            - matches: [{path: {type: PathPrefix, value: /default-timeout}}]
              backendRefs: [{cluster: scripted}]
            - matches: [{path: {type: PathPrefix, value: /admin}}]
              backendRefs: [{cluster: echo}]
              clientIps: {allow: [10.0.0.0/8]}
            - matches: [{path: {type: Exact, value: /a/b/d}}]
              backendRefs: [{cluster: echo}]
              filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: x-rule, value: exact-a-b-d}]}}]
            - matches: [{path: {type: PathPrefix, value: /}}]
              backendRefs: [{cluster: echo}]
        - name: strict
          gateway: edge
          listener: strict
          rules: [{matches: [{path: {type: PathPrefix, value: /}}], backendRefs: [{cluster: scripted}]}]
      """;

  @Test
  void theEdgeHoldsItsLimitsAndItsRules(TestDatabase database) throws Exception {
    int strictPort = FreePorts.one();
    try (ScriptedBackend scripted = ScriptedBackend.start();
        DemoBackend echo = DemoBackend.start("echo");
        Gateway gateway = Gateway.start(database, Map.of())) {
      gateway.envoy().awaitReady(Duration.ofSeconds(30));
      gateway.apply(CONFIG.formatted(scripted.port(), echo.port(), sha256(CI_KEY), sha256(REPORTER_KEY), strictPort));

      // Started first and collected last: the two 16 s requests run while everything else is tested.
      HttpClient patient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      long longStarted = System.nanoTime();
      CompletableFuture<Timed> unlimited = timed(patient, gateway.listenerPort(), "/unlimited/x?delay=16000", longStarted);
      CompletableFuture<Timed> defaulted = timed(patient, gateway.listenerPort(), "/default-timeout/x?delay=16000", longStarted);

      streamIdleTimeout(strictPort);
      connectionIdleTimeout(strictPort);
      apiKeys(gateway);
      pathNormalisation(gateway);

      Timed slowWithoutTimeout = unlimited.get();
      Timed slowWithDefault = defaulted.get();
      System.out.printf("route timeout 0s: %d after %d ms; no timeout set (Envoy's 15 s): %d after %d ms%n", slowWithoutTimeout.status(),
          slowWithoutTimeout.millis(), slowWithDefault.status(), slowWithDefault.millis());
      assertThat(slowWithoutTimeout.status()).isEqualTo(200);
      assertThat(slowWithoutTimeout.millis()).isGreaterThanOrEqualTo(16_000);
      assertThat(slowWithDefault.status()).isEqualTo(504);
      assertThat(slowWithDefault.millis()).isBetween(14_900L, 15_900L);
    }
  }

  private static void streamIdleTimeout(int port) throws Exception {
    Raw slowBackend = raw(port, "GET /x?delay=3000 HTTP/1.1\r\nHost: t\r\n\r\n");
    Raw stalledBody = raw(port, "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nten bytes.");
    Raw stalledResponse = raw(port, "GET /x?stall=3000 HTTP/1.1\r\nHost: t\r\n\r\n");
    System.out.printf("stream idle 1s: backend silent 3 s -> %s after %d ms; client stalls its body -> %s after %d ms;"
            + " backend stalls mid-body -> %s, first bytes after %d ms, closed after %d ms, body %s%n",
        slowBackend.statusLine(), slowBackend.firstByteMillis(), stalledBody.statusLine(), stalledBody.firstByteMillis(),
        stalledResponse.statusLine(), stalledResponse.firstByteMillis(), stalledResponse.closedMillis(),
        stalledResponse.body().replace("\r\n", "\\r\\n"));
  }

  private static void connectionIdleTimeout(int port) throws Exception {
    Raw idle = raw(port, "GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
    System.out.printf("connection idle 2s: %s after %d ms, connection closed after %d ms%n", idle.statusLine(), idle.firstByteMillis(),
        idle.closedMillis());
  }

  private static void apiKeys(Gateway gateway) throws Exception {
    HttpResponse<String> none = gateway.get("/orders/7", Map.of());
    HttpResponse<String> wrong = gateway.get("/orders/7", Map.of("x-api-key", "not-a-key"));
    HttpResponse<String> unscoped = gateway.get("/orders/7", Map.of("x-api-key", REPORTER_KEY));
    HttpResponse<String> valid = gateway.get("/orders/7", Map.of("x-api-key", CI_KEY, "x-user-id", "mallory"));
    System.out.printf("api keys: none %d %s; wrong %d %s; without the scope %d %s; valid %d %s%n", none.statusCode(),
        none.headers().firstValue("www-authenticate").orElse("-"), wrong.statusCode(), wrong.headers().firstValue("www-authenticate").orElse("-"),
        unscoped.statusCode(), unscoped.headers().firstValue("www-authenticate").orElse("-"), valid.statusCode(), valid.body());
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("www-authenticate")).isPresent();
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("www-authenticate").orElse("")).contains("invalid_token");
    assertThat(unscoped.statusCode()).isEqualTo(403);
    assertThat(unscoped.headers().firstValue("www-authenticate").orElse("")).contains("insufficient_scope");
    assertThat(valid.statusCode()).isEqualTo(200);
    // The identity auth-service sets replaces the one the client sent.
    assertThat(JSON.readTree(valid.body()).path("headers").path("x-user-id").asText()).isEqualTo("ci-bot");
    assertThat(JSON.readTree(valid.body()).path("headers").has("x-api-key")).as("stripAuthorization: the key stays at the gateway").isFalse();
  }

  private static void pathNormalisation(Gateway gateway) throws Exception {
    for (String path : new String[] {"/a//b/./c/../d", "//admin", "/x/../admin", "/./admin/x", "/x/..//admin", "/x/%2e%2e/admin",
        "/%61dmin", "/admin%2Fx", "/public/../orders/7", "//orders/7", "/orders/./7"}) {
      Raw answer = raw(gateway.listenerPort(), "GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
      String seen = answer.body().contains("\"path\"") ? JSON.readTree(answer.body().substring(answer.body().indexOf('{'))).path("path").asText() : "-";
      System.out.printf("path %s -> %s, backend saw %s, head %s%n", path, answer.statusLine(), seen, answer.head().replace("\r\n", " | "));
      // Whatever the spelling, the request meets the rule of the path it normalises to.
      String expected = switch (path) {
        case "/a//b/./c/../d" -> " 200 ";
        case "/admin%2Fx" -> " 307 ";
        case "/public/../orders/7", "//orders/7", "/orders/./7" -> " 401 ";
        default -> " 403 ";
      };
      assertThat(answer.statusLine()).as(path).contains(expected);
      if (path.equals("/a//b/./c/../d")) {
        assertThat(seen).isEqualTo("/a/b/d");
      }
    }
  }

  /** What came back on a socket for {@code request}: until the server closed it or 6 s passed. */
  record Raw(String head, String body, long firstByteMillis, long closedMillis) {
    String statusLine() {
      return head.lines().findFirst().orElse("(nothing)");
    }
  }

  private static Raw raw(int port, String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(6_000);
      long started = System.nanoTime();
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      long firstByte = -1;
      long closed = -1;
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          if (firstByte < 0) {
            firstByte = (System.nanoTime() - started) / 1_000_000;
          }
          received.write(buffer, 0, n);
        }
        closed = (System.nanoTime() - started) / 1_000_000;
      } catch (SocketTimeoutException stillOpen) {
        // closed stays -1: the server kept the connection open
      } catch (IOException reset) {
        closed = (System.nanoTime() - started) / 1_000_000;
      }
      String text = received.toString(StandardCharsets.ISO_8859_1);
      int split = text.indexOf("\r\n\r\n");
      return split < 0 ? new Raw(text, "", firstByte, closed) : new Raw(text.substring(0, split), text.substring(split + 4), firstByte, closed);
    }
  }

  record Timed(int status, long millis) {}

  private static CompletableFuture<Timed> timed(HttpClient client, int port, String path, long started) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> new Timed(response.statusCode(), (System.nanoTime() - started) / 1_000_000));
  }

  private static String sha256(String key) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
  }
}
