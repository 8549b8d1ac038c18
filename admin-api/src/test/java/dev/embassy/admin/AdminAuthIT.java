package dev.embassy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tokens, roles, anonymous health, and the audit log naming each token's owner. */
class AdminAuthIT extends AdminApiTestCase {


  @Test
  void onlyHealthIsAnonymous() {
    assertThat(api.send("GET", "/healthz", null, null, null, Map.of()).status()).isEqualTo(200);
    assertThat(api.send("GET", "/readyz", null, null, null, Map.of()).json().path("database").asText()).isEqualTo("ok");
    AdminApiFixture.Response anonymous = api.send("GET", "/api/v1/routes", null, null, null, Map.of());
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.header("WWW-Authenticate")).startsWith("Bearer");
    assertThat(api.send("GET", "/openapi.json", null, null, null, Map.of()).status()).isEqualTo(401);
    assertThat(api.send("GET", "/api/v1/routes", null, null, "not-a-token", Map.of()).header("WWW-Authenticate")).contains("invalid_token");
  }

  @Test
  void rolesLimitWhatATokenMayDo() {
    String cluster = ResourceApiIT.CLUSTER;
    assertThat(api.send("GET", "/api/v1/clusters", null, null, api.viewerToken, Map.of()).status()).isEqualTo(200);
    assertThat(api.send("POST", "/api/v1/clusters", "application/json", cluster, api.viewerToken, Map.of()).status()).isEqualTo(403);
    assertThat(api.send("POST", "/api/v1/clusters", "application/json", cluster, api.editorToken, Map.of()).status()).isEqualTo(201);
    assertThat(api.send("GET", "/api/v1/tokens", null, null, api.editorToken, Map.of()).status()).isEqualTo(403);
    assertThat(api.send("GET", "/api/v1/tokens", null, null, AdminApiFixture.ADMIN_TOKEN, Map.of()).status()).isEqualTo(200);

    assertThat(api.get("/api/v1/audit").json().path("items").get(0).path("actor").asText()).isEqualTo("it-editor");
  }

  @Test
  void issuedTokensWorkUntilRevokedAndAreNeverListedWithTheirSecret() {
    AdminApiFixture.Response issued = api.send("POST", "/api/v1/tokens", "application/json", "{\"owner\":\"ci-bot\",\"role\":\"editor\"}", AdminApiFixture.ADMIN_TOKEN, Map.of());
    assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
    String token = issued.json().path("token").asText();
    String id = issued.json().path("id").asText();
    assertThat(token).startsWith("emb_" + id + "_");

    assertThat(api.send("GET", "/api/v1/routes", null, null, token, Map.of()).status()).isEqualTo(200);
    String listed = api.send("GET", "/api/v1/tokens", null, null, AdminApiFixture.ADMIN_TOKEN, Map.of()).body();
    assertThat(listed).contains("ci-bot").doesNotContain(token);

    assertThat(api.send("DELETE", "/api/v1/tokens/" + id, null, null, AdminApiFixture.ADMIN_TOKEN, Map.of()).status()).isEqualTo(204);
    assertThat(api.send("GET", "/api/v1/routes", null, null, token, Map.of()).status()).isEqualTo(401);

    // Token changes are audited like config writes, naming who made them, never the secret.
    var audit = api.get("/api/v1/audit").json().path("items");
    assertThat(audit).extracting(e -> e.path("operation").asText() + " by " + e.path("actor").asText())
        .containsSubsequence("token.revoke by it-admin", "token.issue by it-admin");
    assertThat(audit.toString()).contains("ci-bot").doesNotContain(token);
  }

  @Test
  void metricsNeedATokenAndCountRequestsByEndpointTemplate() {
    api.get("/api/v1/clusters/missing");
    // Unmatched paths are counted too, and still answer with their own status.
    assertThat(api.get("/api/v1/widgets").status()).isEqualTo(404);
    assertThat(api.send("GET", "/metrics", null, null, null, Map.of()).status()).isEqualTo(401);
    String scrape = api.send("GET", "/metrics", null, null, api.viewerToken, Map.of()).body();
    assertThat(scrape).contains(
        "embassy_admin_requests_seconds_count{endpoint=\"/api/v1/clusters/{name}\",method=\"GET\",status=\"404\"}",
        "embassy_admin_requests_seconds_count{endpoint=\"unmatched\",method=\"GET\",status=\"404\"}");
  }
}
