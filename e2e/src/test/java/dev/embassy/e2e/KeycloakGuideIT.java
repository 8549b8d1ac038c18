package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.admin.auth.AdminTokens;
import dev.embassy.admin.http.AdminHttpServer;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.DocSnippets;
import dev.embassy.testsupport.KeycloakServer;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/guides/keycloak.md, step by step, against a real Keycloak (Maven Central's
 * keycloak-quarkus-dist, one start for the class), the real admin API, auth-service and Envoy.
 * The realm, the auth policies, the routes and the new signing key are read from the guide's
 * marked code blocks, so the page cannot drift from what is proven here; only the Keycloak
 * address (8080 on the page) is replaced by the free port the test runs it on.
 */
@ExtendWith(PostgresExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeycloakGuideIT {
  private static final String GUIDE = "guides/keycloak.md";
  private static final String GUIDE_KEYCLOAK = "http://127.0.0.1:8080";
  private static final String GUIDE_GATEWAY = "http://127.0.0.1:10000";
  private static final String REALM = "embassy";
  private static final String ADMIN_TOKEN = "keycloak-guide-it-admin-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The guide's JSON blocks and the file names it tells the reader to save them as. */
  private static final Map<String, String> SAVED_AS = Map.of("realm", "embassy-realm.json", "orders-policy", "orders-keycloak.json",
      "orders-admin-policy", "orders-admin-keycloak.json", "orders-route", "orders-route.json", "orders-admin-route", "orders-admin-route.json");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static Path work;
  private static KeycloakServer keycloak;
  private static DemoBackend demo;
  private static Gateway gateway;
  private static HikariDataSource adminDataSource;
  private static AdminHttpServer admin;

  @BeforeAll
  static void startEverything(TestDatabase database) throws Exception {
    long started = System.nanoTime();
    keycloak = KeycloakServer.start(documentedStartOptions());
    System.out.printf("KeycloakGuideIT: Keycloak ready in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    demo = DemoBackend.start("demo");
    // Keycloak answers its JWKS with Cache-Control: no-cache, so auth-service refreshes every
    // EMBASSY_AUTH_JWKS_REFRESH_MIN; 1 s here instead of 30 s lets the test see a key removal soon.
    gateway = Gateway.start(database, Map.of(), Map.of("EMBASSY_AUTH_JWKS_REFRESH_MIN", "1s"));
    gateway.envoy().awaitReady(Duration.ofSeconds(30));
    adminDataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4);
    new AdminTokens(adminDataSource).installBootstrap(ADMIN_TOKEN, "keycloak-guide-it");
    admin = AdminHttpServer.start("127.0.0.1", 0, adminDataSource);
    // What the quickstart (deploy/up) already has: cluster demo, gateway edge, a route orders.
    gateway.apply("""
        clusters:
          - {name: demo, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
        gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: ${LISTENER_PORT}}]}]
        routes:
          - {name: orders, gateway: edge,
             rules: [{matches: [{path: {type: PathPrefix, value: /orders}}], backendRefs: [{cluster: demo}]}]}
        """.formatted(demo.port()));

    // Steps 2 to 4 as the guide's own shell blocks do them (bash, curl, python3), in a directory
    // holding the guide's JSON blocks under the names it saves them as.
    work = Files.createTempDirectory("embassy-keycloak-guide-");
    for (Map.Entry<String, String> saved : SAVED_AS.entrySet()) {
      Files.writeString(work.resolve(saved.getValue()), guideJson(saved.getKey()));
    }
    long importStarted = System.nanoTime();
    runGuideShell(work, "import-realm");
    System.out.printf("KeycloakGuideIT: realm imported in %d ms%n", (System.nanoTime() - importStarted) / 1_000_000);
    runGuideShell(work, "create-policies");
    runGuideShell(work, "replace-routes");
    gateway.awaitServed(gateway.store().latestRevision());
  }

  /**
   * Runs one of the guide's shell blocks with bash in {@code work}, Keycloak's address and admin
   * password moved to this run's, and checks what its {@code curl -w '%{http_code}'} lines print
   * against the block's {@code # STATUS} comments: every printed status is one the block
   * promises, and every promised one is printed (a loop prints its one comment's status per turn).
   */
  private static void runGuideShell(Path work, String snippet) throws Exception {
    String block = DocSnippets.block(GUIDE, snippet);
    String printed = bash(work, snippet, block.replace("password=change-me", "password=" + keycloak.adminPassword()));
    java.util.List<String> statuses = printed.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    java.util.List<String> promised = new java.util.ArrayList<>();
    java.util.regex.Matcher comment = java.util.regex.Pattern.compile("#\\s*([1-5][0-9][0-9])\\s*$", java.util.regex.Pattern.MULTILINE).matcher(block);
    while (comment.find()) {
      promised.add(comment.group(1));
    }
    System.out.printf("KeycloakGuideIT: %s printed %s, the guide promises %s%n", snippet, statuses, promised);
    assertThat(promised).as(snippet + " promises statuses").isNotEmpty();
    assertThat(statuses).as(snippet + " printed").containsOnlyElementsOf(promised).containsAll(promised);
  }

  @AfterAll
  static void stopEverything() throws Exception {
    Exception first = null;
    // In reverse order of starting; a start that failed half-way left the rest null.
    for (AutoCloseable started : new AutoCloseable[] {admin, adminDataSource, gateway, demo, keycloak}) {
      try {
        if (started != null) {
          started.close();
        }
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Test
  @Order(1)
  void scopesAudienceAndRolesFromKeycloakTokensAreEnforced() throws Exception {
    HttpResponse<String> none = gateway.get("/orders", Map.of());
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"embassy\"");

    HttpResponse<String> noScope = gateway.get("/orders", bearer(clientCredentials("orders-batch", "orders-batch-secret", null)));
    assertThat(noScope.statusCode()).as(noScope.body()).isEqualTo(403);
    assertThat(noScope.headers().firstValue("www-authenticate").orElseThrow()).contains("error=\"insufficient_scope\"");

    String reporting = clientCredentials("reporting", "reporting-secret", "orders:read");
    assertThat(claims(reporting).path("scope").asText()).as("the right scope, but no orders-api audience").isEqualTo("orders:read");
    assertThat(claims(reporting).has("aud")).isFalse();
    HttpResponse<String> wrongAudience = gateway.get("/orders", bearer(reporting));
    assertThat(wrongAudience.statusCode()).isEqualTo(401);
    assertThat(wrongAudience.headers().firstValue("www-authenticate").orElseThrow()).contains("error=\"invalid_token\"");
    assertThat(demo.requestCount()).as("nothing refused reaches the backend").isZero();

    String batch = clientCredentials("orders-batch", "orders-batch-secret", "orders:read");
    HttpResponse<String> batchOk = gateway.get("/orders/7", Map.of("authorization", "Bearer " + batch, "x-user-roles", "orders-admin"));
    assertThat(batchOk.statusCode()).as(batchOk.body()).isEqualTo(200);
    JsonNode batchSeen = JSON.readTree(batchOk.body()).path("headers");
    assertThat(batchSeen.path("x-user-id").asText()).isEqualTo(claims(batch).path("sub").asText());
    assertThat(batchSeen.path("x-client-id").asText()).isEqualTo("orders-batch");
    assertThat(batchSeen.path("x-user-roles").asText()).as("realm_access.roles, joined").isEqualTo("orders-admin orders-viewer");

    String alice = password("alice", "alice-password", "orders:read");
    HttpResponse<String> aliceOk = gateway.get("/orders", Map.of("authorization", "Bearer " + alice, "x-user-roles", "orders-admin"));
    assertThat(aliceOk.statusCode()).as(aliceOk.body()).isEqualTo(200);
    JsonNode aliceSeen = JSON.readTree(aliceOk.body()).path("headers");
    assertThat(aliceSeen.path("x-client-id").asText()).isEqualTo("orders-cli");
    assertThat(aliceSeen.path("x-user-roles").asText()).as("the client's own x-user-roles replaced").isEqualTo("orders-viewer");

    assertThat(gateway.get("/admin/orders", bearer(alice)).statusCode()).as("alice: no orders:write, no orders-admin").isEqualTo(403);
    assertThat(gateway.get("/admin/orders", bearer(batch)).statusCode()).as("orders-admin, but no orders:write").isEqualTo(403);
    String adminToken = clientCredentials("orders-batch", "orders-batch-secret", "orders:read orders:write");
    HttpResponse<String> adminOk = gateway.get("/admin/orders", bearer(adminToken));
    assertThat(adminOk.statusCode()).as(adminOk.body()).isEqualTo(200);
  }

  @Test
  @Order(3)
  void signingKeyRotationIsFollowedWithoutARestart() throws Exception {
    String before = clientCredentials("orders-batch", "orders-batch-secret", "orders:read");
    assertThat(gateway.get("/orders", bearer(before)).statusCode()).isEqualTo(200);
    String oldKid = header(before).path("kid").asText();

    keycloak.admin("POST", "/" + REALM + "/components", DocSnippets.block(GUIDE, "new-key"));
    String after = clientCredentials("orders-batch", "orders-batch-secret", "orders:read");
    String newKid = header(after).path("kid").asText();
    assertThat(newKid).as("Keycloak signs with the new, higher-priority key").isNotEqualTo(oldKid);
    long added = System.nanoTime();
    HttpResponse<String> withNewKey = gateway.get("/orders", bearer(after));
    System.out.printf("KeycloakGuideIT: first new-key token answered %d in %d ms; JWKS fetches so far: %s%n",
        withNewKey.statusCode(), (System.nanoTime() - added) / 1_000_000, jwksFetches());
    assertThat(withNewKey.statusCode()).as(withNewKey.body()).isEqualTo(200);
    assertThat(gateway.get("/orders", bearer(before)).statusCode()).as("the old key is still published").isEqualTo(200);

    JsonNode old = JSON.readTree(keycloak.admin("GET", "/" + REALM + "/components?type=org.keycloak.keys.KeyProvider&name=rsa-generated", null).body()).get(0);
    ((ObjectNode) old.path("config")).set("enabled", JSON.createArrayNode().add("false"));
    keycloak.admin("PUT", "/" + REALM + "/components/" + old.path("id").asText(), JSON.writeValueAsString(old));
    assertThat(publishedKids()).as("Keycloak no longer publishes the old key").contains(newKid).doesNotContain(oldKid);
    long disabled = System.nanoTime();
    Gateway.await(() -> status(before) == 401, Duration.ofSeconds(10), "a token signed with the disabled key is refused");
    System.out.printf("KeycloakGuideIT: old-key token refused %d ms after the key was disabled (JWKS refresh minimum 1 s)%n",
        (System.nanoTime() - disabled) / 1_000_000);
    assertThat(gateway.get("/orders", bearer(after)).statusCode()).as("the new key keeps working").isEqualTo(200);
    String fresh = clientCredentials("orders-batch", "orders-batch-secret", "orders:read");
    assertThat(gateway.get("/orders", bearer(fresh)).statusCode()).isEqualTo(200);
  }

  /** Step 1's {@code kc.sh start} options, read from the guide (KeycloakServer moves its ports). */
  private static java.util.List<String> documentedStartOptions() {
    String block = DocSnippets.block(GUIDE, "keycloak-start").replace("\\\n", " ");
    String command = block.lines().filter(l -> l.contains("kc.sh start ")).findFirst()
        .orElseThrow(() -> new AssertionError("step 1 of the guide has no kc.sh start line"));
    return java.util.List.of(command.substring(command.indexOf("kc.sh start ") + "kc.sh start ".length()).strip().split("\\s+"));
  }

  /**
   * Step 5's block in the shell step 2 left behind ({@code KEYCLOAK} set): each {@code code} line
   * prints the status its comment shows, and alice's request shows the headers the backend got.
   */
  @Test
  @Order(2)
  void theGuidesStep5CommandsGetTheStatusesItShows() throws Exception {
    String block = DocSnippets.block(GUIDE, "call-gateway");
    String printed = bash(work, "call-gateway", "KEYCLOAK=" + GUIDE_KEYCLOAK + "\n" + block);
    // The plain curl prints the backend's JSON, which need not end with a newline: a status is
    // the three digits that end a line.
    java.util.List<String> statuses = java.util.regex.Pattern.compile("(?m)([1-5][0-9][0-9])$").matcher(printed).results()
        .map(r -> r.group(1)).toList();
    java.util.regex.Pattern comment = java.util.regex.Pattern.compile("#\\s*([1-5][0-9][0-9])\\b");
    java.util.List<String> promised = block.lines().filter(l -> l.startsWith("code ")).map(comment::matcher)
        .filter(java.util.regex.Matcher::find).map(m -> m.group(1)).toList();
    System.out.printf("KeycloakGuideIT: call-gateway printed %s, the guide promises %s%n", statuses, promised);
    assertThat(promised).as("step 5's code lines").isNotEmpty();
    assertThat(statuses).as("step 5's printed statuses; printed: " + printed).isEqualTo(promised);
    assertThat(printed).as("alice's request reached the backend with her client and role").contains("orders-cli", "orders-viewer");
  }

  /** {@code script} run by bash in {@code dir}, with the guide's Keycloak and gateway addresses moved to this run's; its output. */
  private static String bash(Path dir, String name, String script) throws Exception {
    ProcessBuilder bash = new ProcessBuilder("bash", "-euo", "pipefail", "-c",
        script.replace(GUIDE_KEYCLOAK, keycloak.baseUrl()).replace(GUIDE_GATEWAY, "http://127.0.0.1:" + gateway.listenerPort()))
        .directory(dir.toFile());
    bash.environment().put("EMBASSY_ADMIN_URL", "http://127.0.0.1:" + admin.port());
    bash.environment().put("EMBASSY_ADMIN_TOKEN", ADMIN_TOKEN);
    Process run = bash.redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String printed = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(run.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as(name + " finished").isTrue();
    assertThat(run.exitValue()).as(name + " exit status; printed: " + printed).isZero();
    return printed;
  }

  private static String guideJson(String snippet) {
    return DocSnippets.block(GUIDE, snippet).replace(GUIDE_KEYCLOAK, keycloak.baseUrl());
  }

  private static String clientCredentials(String client, String secret, String scope) {
    Map<String, String> form = scope == null
        ? Map.of("grant_type", "client_credentials", "client_id", client, "client_secret", secret)
        : Map.of("grant_type", "client_credentials", "client_id", client, "client_secret", secret, "scope", scope);
    return accessToken(keycloak.token(REALM, form));
  }

  private static String password(String user, String password, String scope) {
    return accessToken(keycloak.token(REALM, Map.of("grant_type", "password", "client_id", "orders-cli",
        "username", user, "password", password, "scope", scope)));
  }

  private static String accessToken(JsonNode answer) {
    assertThat(answer.hasNonNull("access_token")).as("Keycloak issued a token: " + answer).isTrue();
    return answer.get("access_token").asText();
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("authorization", "Bearer " + token);
  }

  private static int status(String token) {
    try {
      return gateway.get("/orders", bearer(token)).statusCode();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode header(String jwt) throws Exception {
    return part(jwt, 0);
  }

  private static JsonNode claims(String jwt) throws Exception {
    return part(jwt, 1);
  }

  private static JsonNode part(String jwt, int index) throws Exception {
    return JSON.readTree(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]), StandardCharsets.UTF_8));
  }

  private static java.util.List<String> publishedKids() throws Exception {
    HttpResponse<String> jwks = HTTP.send(HttpRequest.newBuilder(URI.create(keycloak.issuer(REALM) + "/protocol/openid-connect/certs")).build(),
        HttpResponse.BodyHandlers.ofString());
    java.util.List<String> kids = new java.util.ArrayList<>();
    ((ArrayNode) JSON.readTree(jwks.body()).path("keys")).forEach(key -> kids.add(key.path("kid").asText()));
    return kids;
  }

  /** auth-service's embassy_auth_jwks_fetches_total lines, to show which fetch found the new key. */
  private static String jwksFetches() throws Exception {
    String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.auth().statusPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return metrics.lines().filter(l -> l.startsWith("embassy_auth_jwks_fetches_total")).map(l -> l.replaceAll(".*trigger=\"([a-z_]+)\".*\\} ", "$1="))
        .toList().toString();
  }
}
