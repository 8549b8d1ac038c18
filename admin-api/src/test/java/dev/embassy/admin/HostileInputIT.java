package dev.embassy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile input through the real HTTP server and a real Postgres: every case must get a 4xx
 * problem+json answer, and the database (row counts, latest revision, content) must be exactly as
 * before. The corpus is src/test/resources/hostile-inputs.json; cases that must be generated
 * (huge bodies, deep nesting, races) are written out below.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String BASELINE = """
      {
        "clusters": [{"name": "demo", "discovery": {"static": {"endpoints": [{"address": "127.0.0.1", "port": 8088}]}}}],
        "gateways": [{"name": "edge", "nodeGroup": "edge", "listeners": [{"name": "http", "port": 10000}]}],
        "routes": [{"name": "demo", "gateway": "edge",
                    "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/api"}}], "backendRefs": [{"cluster": "demo"}]}]}],
        "authPolicies": [{"name": "jwt", "providers": [{"name": "idp", "issuer": "https://idp.example.com",
                          "jwksUri": "https://idp.example.com/jwks", "audiences": ["api"]}]}],
        "rateLimitPolicies": [{"name": "rl", "domain": "edge", "requestDescriptors": [{"entries": [{"genericKey": {"value": "default"}}]}],
                               "descriptors": [{"key": "generic_key", "value": "default", "limit": {"requests": 10, "window": "1s"}}]}]
      }
      """;

  private AdminApiFixture api;

  @BeforeAll
  void start(TestDatabase database) {
    api = AdminApiFixture.start(database);
    AdminApiFixture.Response seeded = api.send("POST", "/api/v1/config:apply", "application/json", BASELINE, AdminApiFixture.ADMIN_TOKEN, Map.of());
    assertThat(seeded.status()).as(seeded.toString()).isEqualTo(200);
  }

  @AfterAll
  void stop() {
    api.close();
  }

  static Stream<Arguments> corpus() throws Exception {
    try (InputStream in = HostileInputIT.class.getResourceAsStream("/hostile-inputs.json")) {
      JsonNode cases = JSON.readTree(in);
      List<Arguments> arguments = new ArrayList<>();
      cases.forEach(c -> arguments.add(Arguments.of(c.path("category").asText() + ": " + c.path("name").asText(), c)));
      return arguments.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void corpusCaseIsRejectedAndChangesNothing(String name, JsonNode c) {
    Map<String, String> headers = new HashMap<>();
    c.path("headers").properties().forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
    String contentType = c.has("contentType") ? (c.get("contentType").isNull() ? null : c.get("contentType").asText()) : "application/json";
    String body = c.has("body") && !c.get("body").isNull() ? c.get("body").asText() : null;
    expectRejected(c.path("status").asInt(), () -> api.send(c.path("method").asText(), c.path("path").asText(), contentType, body, token(c.path("auth").asText("admin")), headers));
  }

  @Test
  void bodyOverTheResourceLimitIs413() {
    byte[] huge = ("{\"name\":\"big\",\"labels\":{\"a\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}}").getBytes(StandardCharsets.UTF_8);
    expectRejected(413, () -> api.sendBytes("POST", "/api/v1/clusters", "application/json", huge, AdminApiFixture.ADMIN_TOKEN, Map.of()));
  }

  @Test
  void deeplyNestedJsonIs400() {
    String nested = "[".repeat(5000) + "]".repeat(5000);
    expectRejected(400, () -> api.send("POST", "/api/v1/config:apply", "application/json", "{\"routes\":" + nested + "}", AdminApiFixture.ADMIN_TOKEN, Map.of()));
  }

  @Test
  void deeplyNestedYamlIs400() {
    StringBuilder yaml = new StringBuilder("routes:\n");
    for (int i = 0; i < 200; i++) {
      yaml.append("  ".repeat(i + 1)).append("- \n");
    }
    expectRejected(400, () -> api.send("POST", "/api/v1/config:apply", "application/yaml", yaml.toString(), AdminApiFixture.ADMIN_TOKEN, Map.of()));
  }

  @Test
  void hugeNumberIs400() {
    String body = "{\"name\":\"n\",\"discovery\":{\"static\":{\"endpoints\":[{\"address\":\"127.0.0.1\",\"port\":" + "9".repeat(5000) + "}]}}}";
    expectRejected(400, () -> api.send("POST", "/api/v1/clusters", "application/json", body, AdminApiFixture.ADMIN_TOKEN, Map.of()));
  }

  /**
   * Envoy refuses a second listener on one address:port, so a second gateway of node group edge
   * on edge's port is refused at that port, naming the gateway and listener that hold it.
   */
  @Test
  void secondGatewayOnATakenPortIsRefusedAtThePortNamingTheHolder() {
    Map<String, Long> before = api.snapshot();
    AdminApiFixture.Response response = api.post("/api/v1/gateways", "{\"name\":\"second\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"web\",\"port\":10000}]}");
    assertThat(response.status()).as(response.toString()).isEqualTo(422);
    assertThat(response.header("Content-Type")).startsWith("application/problem+json");
    JsonNode error = response.json().path("errors").get(0);
    assertThat(error.path("pointer").asText()).isEqualTo("/listeners/0/port");
    assertThat(error.path("detail").asText()).contains("gateway edge (listener http)");
    assertThat(api.snapshot()).as("database unchanged").isEqualTo(before);
  }

  /**
   * 32 writers race to replace one route, all guarded by If-Match of the same (current) revision:
   * exactly one wins, every other gets 412, and the loser's content never appears.
   */
  @Test
  void concurrentConflictingWritesHaveExactlyOneWinner() throws Exception {
    String route = "{\"name\":\"race\",\"gateway\":\"edge\",\"rules\":[{\"matches\":[{\"path\":{\"type\":\"PathPrefix\",\"value\":\"/race-%d\"}}],\"backendRefs\":[{\"cluster\":\"demo\"}]}]}";
    AdminApiFixture.Response created = api.post("/api/v1/routes", route.formatted(0));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String etag = created.header("ETag");
    Map<String, Long> before = api.snapshot();
    ExecutorService pool = Executors.newFixedThreadPool(32);
    List<AdminApiFixture.Response> responses = new ArrayList<>();
    try {
      List<Callable<AdminApiFixture.Response>> writers = new ArrayList<>();
      for (int i = 1; i <= 32; i++) {
        String body = route.formatted(i);
        writers.add(() -> api.put("/api/v1/routes/race", body, Map.of("If-Match", etag)));
      }
      for (Future<AdminApiFixture.Response> result : pool.invokeAll(writers)) {
        responses.add(result.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(responses).extracting(AdminApiFixture.Response::status).containsOnly(200, 412);
    List<AdminApiFixture.Response> winners = responses.stream().filter(r -> r.status() == 200).toList();
    assertThat(winners).hasSize(1);
    responses.stream().filter(r -> r.status() == 412)
        .forEach(r -> assertThat(r.header("Content-Type")).startsWith("application/problem+json"));
    assertThat(api.get("/api/v1/routes/race").json()).isEqualTo(winners.getFirst().json());
    Map<String, Long> after = api.snapshot();
    assertThat(after.get("latest_revision")).isEqualTo(before.get("latest_revision") + 1);
    assertThat(after.get("config_resource")).isEqualTo(before.get("config_resource"));
    assertThat(api.delete("/api/v1/routes/race", Map.of()).status()).isEqualTo(204);
  }

  /** Concurrent creates of one name: exactly one wins, the rest get 409, no partial rows. */
  @Test
  void concurrentCreatesOfOneNameHaveExactlyOneWinner() throws Exception {
    String cluster = "{\"name\":\"race\",\"discovery\":{\"static\":{\"endpoints\":[{\"address\":\"127.0.0.1\",\"port\":%d}]}}}";
    Map<String, Long> before = api.snapshot();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Integer> statuses = new ArrayList<>();
    try {
      List<Callable<AdminApiFixture.Response>> writers = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String body = cluster.formatted(9000 + i);
        writers.add(() -> api.post("/api/v1/clusters", body));
      }
      for (Future<AdminApiFixture.Response> result : pool.invokeAll(writers)) {
        statuses.add(result.get().status());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(statuses).containsOnly(201, 409);
    assertThat(statuses.stream().filter(s -> s == 201)).hasSize(1);
    Map<String, Long> after = api.snapshot();
    assertThat(after.get("config_resource")).isEqualTo(before.get("config_resource") + 1);
    assertThat(after.get("latest_revision")).isEqualTo(before.get("latest_revision") + 1);
    assertThat(api.delete("/api/v1/clusters/race", Map.of()).status()).isEqualTo(204);
  }

  private void expectRejected(int status, java.util.function.Supplier<AdminApiFixture.Response> request) {
    Map<String, Long> before = api.snapshot();
    AdminApiFixture.Response response = request.get();
    assertThat(response.status()).as(response.toString()).isEqualTo(status);
    assertThat(response.header("Content-Type")).as(response.toString()).startsWith("application/problem+json");
    assertThat(response.json().path("status").asInt()).isEqualTo(status);
    assertThat(api.snapshot()).as("database unchanged").isEqualTo(before);
  }

  private String token(String auth) {
    return switch (auth) {
      case "none" -> null;
      case "invalid" -> "emb_000000000000_notarealtoken";
      case "viewer" -> api.viewerToken;
      case "editor" -> api.editorToken;
      default -> AdminApiFixture.ADMIN_TOKEN;
    };
  }
}
