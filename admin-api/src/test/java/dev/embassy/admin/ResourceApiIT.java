package dev.embassy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CRUD, optimistic concurrency, merge patch and references through the real HTTP server. */
class ResourceApiIT extends AdminApiTestCase {
  static final String CLUSTER = """
      {"name":"demo","labels":{"team":"edge"},"discovery":{"static":{"endpoints":[{"address":"127.0.0.1","port":8088}]}}}""";
  static final String GATEWAY = """
      {"name":"edge","nodeGroup":"edge","listeners":[{"name":"http","port":10000}]}""";
  static final String ROUTE = """
      {"name":"demo","gateway":"edge","rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/api"}}],"backendRefs":[{"cluster":"demo"}]}]}""";



  @Test
  void createThenReadCarriesAnEtagAndARevision() {
    AdminApiFixture.Response created = api.post("/api/v1/clusters", CLUSTER);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.header("Location")).isEqualTo("/api/v1/clusters/demo");
    String revision = created.header("Embassy-Revision");
    assertThat(created.header("ETag")).isEqualTo("\"" + revision + "\"");
    // Defaults are filled in, so what is read back is what will be served.
    assertThat(created.json().path("connectTimeout").asText()).isEqualTo("1s");
    assertThat(created.json().path("lbPolicy").asText()).isEqualTo("ROUND_ROBIN");

    AdminApiFixture.Response read = api.get("/api/v1/clusters/demo");
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.header("ETag")).isEqualTo(created.header("ETag"));
    assertThat(read.json()).isEqualTo(created.json());
  }

  @Test
  void ifMatchGuardsReplaceAndAStaleTagGets412() {
    String etag = api.post("/api/v1/clusters", CLUSTER).header("ETag");
    String changed = CLUSTER.replace("8088", "9099");

    AdminApiFixture.Response replaced = api.put("/api/v1/clusters/demo", changed, Map.of("If-Match", etag));
    assertThat(replaced.status()).as(replaced.toString()).isEqualTo(200);
    assertThat(replaced.header("ETag")).isNotEqualTo(etag);

    Map<String, Long> before = api.snapshot();
    AdminApiFixture.Response stale = api.put("/api/v1/clusters/demo", CLUSTER, Map.of("If-Match", etag));
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.header("Content-Type")).startsWith("application/problem+json");
    assertThat(stale.header("ETag")).isEqualTo(replaced.header("ETag"));
    assertThat(api.snapshot()).isEqualTo(before);
  }

  @Test
  void replacingWithIdenticalContentCreatesNoRevision() {
    api.post("/api/v1/clusters", CLUSTER);
    Map<String, Long> before = api.snapshot();
    AdminApiFixture.Response same = api.put("/api/v1/clusters/demo", CLUSTER, Map.of());
    assertThat(same.status()).isEqualTo(200);
    assertThat(same.header("Embassy-Revision")).isNull();
    assertThat(api.snapshot()).isEqualTo(before);
  }

  @Test
  void mergePatchChangesOnlyWhatItNamesAndNullRemoves() {
    api.post("/api/v1/clusters", CLUSTER);
    AdminApiFixture.Response patched = api.patch("/api/v1/clusters/demo", "{\"connectTimeout\":\"3s\",\"labels\":null}", Map.of());
    assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
    JsonNode body = patched.json();
    assertThat(body.path("connectTimeout").asText()).isEqualTo("3s");
    assertThat(body.has("labels")).isFalse();
    assertThat(body.path("discovery").path("static").path("endpoints").get(0).path("port").asInt()).isEqualTo(8088);

    AdminApiFixture.Response rename = api.patch("/api/v1/clusters/demo", "{\"name\":\"other\"}", Map.of());
    assertThat(rename.status()).isEqualTo(422);
    assertThat(rename.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/name");

    AdminApiFixture.Response wrongType = api.send("PATCH", "/api/v1/clusters/demo", "application/json", "{}", AdminApiFixture.ADMIN_TOKEN, Map.of());
    assertThat(wrongType.status()).isEqualTo(415);
  }

  @Test
  void referencesMustResolveAndAUsedClusterCannotBeDeleted() {
    AdminApiFixture.Response dangling = api.post("/api/v1/routes", ROUTE);
    assertThat(dangling.status()).isEqualTo(422);
    assertThat(dangling.json().path("errors")).extracting(e -> e.path("pointer").asText())
        .contains("/gateway", "/rules/0/backendRefs/0/cluster");

    api.post("/api/v1/clusters", CLUSTER);
    api.post("/api/v1/gateways", GATEWAY);
    assertThat(api.post("/api/v1/routes", ROUTE).status()).isEqualTo(201);

    Map<String, Long> before = api.snapshot();
    AdminApiFixture.Response inUse = api.delete("/api/v1/clusters/demo", Map.of());
    assertThat(inUse.status()).isEqualTo(409);
    assertThat(inUse.json().path("detail").asText()).contains("routes/demo");
    assertThat(api.snapshot()).isEqualTo(before);

    assertThat(api.delete("/api/v1/routes/demo", Map.of()).status()).isEqualTo(204);
    assertThat(api.delete("/api/v1/clusters/demo", Map.of()).status()).isEqualTo(204);
    assertThat(api.get("/api/v1/clusters/demo").status()).isEqualTo(404);
  }

  @Test
  void gatewayChangeThatWouldOrphanARouteListenerIsRejected() {
    api.post("/api/v1/clusters", CLUSTER);
    api.post("/api/v1/gateways", GATEWAY);
    assertThat(api.post("/api/v1/routes", ROUTE.replace("\"gateway\":\"edge\"", "\"gateway\":\"edge\",\"listener\":\"http\"")).status()).isEqualTo(201);

    AdminApiFixture.Response orphaning = api.put("/api/v1/gateways/edge",
        "{\"name\":\"edge\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"web\",\"port\":10000}]}", Map.of());
    assertThat(orphaning.status()).isEqualTo(422);
    assertThat(orphaning.json().path("errors").get(0).path("detail").asText()).contains("route demo");
  }

  @Test
  void listsPageWithOpaqueCursorsAndFilterByLabels() {
    for (int i = 0; i < 5; i++) {
      String team = i % 2 == 0 ? "edge" : "core";
      assertThat(api.post("/api/v1/clusters", CLUSTER.replace("\"demo\"", "\"c" + i + "\"").replace("\"edge\"", "\"" + team + "\"")).status()).isEqualTo(201);
    }
    AdminApiFixture.Response first = api.get("/api/v1/clusters?limit=2");
    assertThat(first.json().path("items")).extracting(n -> n.path("name").asText()).containsExactly("c0", "c1");
    String cursor = first.json().path("nextCursor").asText();
    AdminApiFixture.Response second = api.get("/api/v1/clusters?limit=2&cursor=" + cursor);
    assertThat(second.json().path("items")).extracting(n -> n.path("name").asText()).containsExactly("c2", "c3");
    AdminApiFixture.Response last = api.get("/api/v1/clusters?limit=2&cursor=" + second.json().path("nextCursor").asText());
    assertThat(last.json().path("items")).extracting(n -> n.path("name").asText()).containsExactly("c4");
    assertThat(last.json().has("nextCursor")).isFalse();

    AdminApiFixture.Response core = api.get("/api/v1/clusters?labelSelector=team=core");
    assertThat(core.json().path("items")).extracting(n -> n.path("name").asText()).containsExactly("c1", "c3");
  }

  @Test
  void certificateKeysAreWriteOnly() throws Exception {
    String chain = Files.readString(Path.of(getClass().getResource("/tls/test-cert.pem").toURI()));
    String key = Files.readString(Path.of(getClass().getResource("/tls/test-key.pem").toURI()));
    ObjectNode certificate = JsonNodeFactory.instance.objectNode().put("name", "edge-tls").put("certificateChain", chain).put("privateKey", key);

    AdminApiFixture.Response created = api.post("/api/v1/certificates", certificate.toString());
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.body()).doesNotContain("PRIVATE KEY");
    assertThat(api.get("/api/v1/certificates/edge-tls").body()).doesNotContain("PRIVATE KEY");
    assertThat(api.get("/api/v1/config").body()).doesNotContain("PRIVATE KEY");

    // Replacing without the key keeps the stored key; the write is otherwise a no-op.
    certificate.remove("privateKey");
    AdminApiFixture.Response keyless = api.put("/api/v1/certificates/edge-tls", certificate.toString(), Map.of());
    assertThat(keyless.status()).isEqualTo(200);
    assertThat(keyless.header("Embassy-Revision")).isNull();

    // Without a key a certificate is a CA only: stored, but no listener may present it.
    assertThat(api.post("/api/v1/certificates", certificate.put("name", "no-key").toString()).status()).isEqualTo(201);
    Map<String, Long> before = api.snapshot();
    AdminApiFixture.Response presented = api.post("/api/v1/gateways", """
        {"name":"edge","nodeGroup":"edge","listeners":[{"name":"https","port":10443,"protocol":"HTTPS","tls":{"certificateRefs":["edge-tls","no-key"]}}]}""");
    assertThat(presented.status()).as(presented.toString()).isEqualTo(422);
    assertThat(presented.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/listeners/0/tls/certificateRefs/1");
    AdminApiFixture.Response applied = api.send("POST", "/api/v1/config:apply", "application/json", """
        {"gateways":[{"name":"edge","nodeGroup":"edge","listeners":[{"name":"https","port":10443,"protocol":"HTTPS","tls":{"certificateRefs":["no-key"]}}]}]}""",
        AdminApiFixture.ADMIN_TOKEN, Map.of());
    assertThat(applied.status()).as(applied.toString()).isEqualTo(422);
    assertThat(applied.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/gateways/0/listeners/0/tls/certificateRefs/0");
    assertThat(api.snapshot()).isEqualTo(before);

    AdminApiFixture.Response badKey = api.post("/api/v1/certificates", certificate.put("name", "bad-key").put("privateKey", "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n").toString());
    assertThat(badKey.status()).isEqualTo(422);
    assertThat(badKey.body()).doesNotContain("not base64");
  }

  @Test
  void clientCertificatesNeedAnExistingCaCertificate() throws Exception {
    String chain = Files.readString(Path.of(getClass().getResource("/tls/test-cert.pem").toURI()));
    String key = Files.readString(Path.of(getClass().getResource("/tls/test-key.pem").toURI()));
    api.post("/api/v1/certificates", JsonNodeFactory.instance.objectNode().put("name", "edge-tls").put("certificateChain", chain)
        .put("privateKey", key).toString());
    String gateway = """
        {"name":"edge","nodeGroup":"edge","listeners":[{"name":"https","port":10443,"protocol":"HTTPS",
         "tls":{"certificateRefs":["edge-tls"],"clientCertificates":{"mode":"Optional","caCertificateRef":"%s"}}}]}""";
    Map<String, Long> before = api.snapshot();
    AdminApiFixture.Response missing = api.post("/api/v1/gateways", gateway.formatted("partners-ca"));
    assertThat(missing.status()).as(missing.toString()).isEqualTo(422);
    assertThat(missing.header("Content-Type")).startsWith("application/problem+json");
    assertThat(missing.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/listeners/0/tls/clientCertificates/caCertificateRef");
    assertThat(missing.json().path("errors").get(0).path("detail").asText()).contains("certificates/partners-ca");
    AdminApiFixture.Response badMode = api.post("/api/v1/gateways", gateway.formatted("edge-tls").replace("Optional", "Sometimes"));
    assertThat(badMode.status()).as(badMode.toString()).isEqualTo(400);
    assertThat(api.snapshot()).isEqualTo(before);

    // A CA needs no key; the listener then verifies clients against it.
    assertThat(api.post("/api/v1/certificates", JsonNodeFactory.instance.objectNode().put("name", "partners-ca")
        .put("certificateChain", chain).toString()).status()).isEqualTo(201);
    AdminApiFixture.Response created = api.post("/api/v1/gateways", gateway.formatted("partners-ca"));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.json().at("/listeners/0/tls/clientCertificates/mode").asText()).isEqualTo("Optional");
    AdminApiFixture.Response inUse = api.delete("/api/v1/certificates/partners-ca", Map.of());
    assertThat(inUse.status()).isEqualTo(409);
  }

  @Test
  void aGatewayChangeThatWouldMakeTwoRoutesCollideIsRefusedWithTheRoutesNamed() {
    api.post("/api/v1/clusters", CLUSTER);
    // A sidecar without an outbound listener: routes attached to it serve nowhere yet, so two
    // with the same match are accepted...
    assertThat(api.post("/api/v1/gateways", """
        {"name":"svc","nodeGroup":"svc","sidecar":{"inbound":{"port":15006,"appPort":8080}}}""").status()).isEqualTo(201);
    assertThat(api.post("/api/v1/routes", ROUTE.replace("\"demo\",\"gateway\":\"edge\"", "\"one\",\"gateway\":\"svc\"")).status()).isEqualTo(201);
    assertThat(api.post("/api/v1/routes", ROUTE.replace("\"demo\",\"gateway\":\"edge\"", "\"two\",\"gateway\":\"svc\"")).status()).isEqualTo(201);
    Map<String, Long> before = api.snapshot();
    // ...until the gateway gains the listener both would attach to.
    AdminApiFixture.Response collide = api.put("/api/v1/gateways/svc", """
        {"name":"svc","nodeGroup":"svc","sidecar":{"inbound":{"port":15006,"appPort":8080},"outbound":{"port":15001}}}""", Map.of());
    assertThat(collide.status()).as(collide.toString()).isEqualTo(422);
    assertThat(collide.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/listeners");
    assertThat(collide.json().path("errors").get(0).path("detail").asText()).contains("one and two");
    assertThat(api.snapshot()).isEqualTo(before);
  }
}
