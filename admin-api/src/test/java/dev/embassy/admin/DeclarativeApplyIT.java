package dev.embassy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** config:apply (atomic, dry run, prune, YAML), dump round trip, revisions, diff and rollback. */
class DeclarativeApplyIT extends AdminApiTestCase {
  static final String DOCUMENT = """
      {
        "clusters": [
          {"name": "web", "discovery": {"static": {"endpoints": [{"address": "127.0.0.1", "port": 8080}]}}},
          {"name": "api", "discovery": {"consul": {"service": "api", "tags": ["v2"]}}, "http2": true}
        ],
        "authPolicies": [
          {"name": "jwt", "providers": [{"name": "idp", "issuer": "https://idp.example.com",
            "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration", "audiences": ["api"]}],
           "requirements": {"scopes": ["read"]}}
        ],
        "rateLimitPolicies": [
          {"name": "per-user", "domain": "edge", "requestDescriptors": [{"entries": [{"claim": {"claim": "sub", "key": "user"}}]}], "descriptors": [{"key": "user", "limit": {"requests": 100, "window": "1m"}}]}
        ],
        "gateways": [{"name": "edge", "nodeGroup": "edge", "listeners": [{"name": "http", "port": 10000}]}],
        "routes": [
          {"name": "web", "gateway": "edge", "rules": [{"backendRefs": [{"cluster": "web"}]}]},
          {"name": "api", "gateway": "edge", "authPolicy": "jwt", "rateLimitPolicy": "per-user",
           "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/api"}}],
                      "backendRefs": [{"cluster": "api", "weight": 90}, {"cluster": "web", "weight": 10}],
                      "timeouts": {"request": "10s"}, "retry": {"attempts": 2, "codes": [503]}}]}
        ]
      }
      """;
  static final String YAML = """
      clusters:
        - name: web
          discovery:
            static:
              endpoints:
                - {address: 127.0.0.1, port: 8080}
      gateways:
        - name: edge
          nodeGroup: edge
          listeners: [{name: http, port: 10000}]
      routes:
        - name: web
          gateway: edge
          rules: [{backendRefs: [{cluster: web}]}]
      """;



  private AdminApiFixture.Response apply(String query, String body) {
    return api.send("POST", "/api/v1/config:apply" + query, "application/json", body, AdminApiFixture.ADMIN_TOKEN, Map.of());
  }

  @Test
  void dryRunReportsTheDiffAndChangesNothing() {
    Map<String, Long> before = api.snapshot();
    AdminApiFixture.Response dryRun = apply("?dryRun=true", DOCUMENT);
    assertThat(dryRun.status()).as(dryRun.toString()).isEqualTo(200);
    assertThat(dryRun.json().path("dryRun").asBoolean()).isTrue();
    assertThat(dryRun.json().path("revision").isNull()).isTrue();
    assertThat(dryRun.json().path("summary").path("create").asInt()).isEqualTo(7);
    assertThat(dryRun.json().path("changes").get(0).has("after")).isTrue();
    assertThat(api.snapshot()).isEqualTo(before);
  }

  @Test
  void applyIsOneRevisionAndTheDumpRoundTripsWithoutDrift() {
    AdminApiFixture.Response applied = apply("", DOCUMENT);
    assertThat(applied.status()).as(applied.toString()).isEqualTo(200);
    long revision = applied.json().path("revision").asLong();
    assertThat(applied.header("Embassy-Revision")).isEqualTo(Long.toString(revision));
    assertThat(api.get("/api/v1/revisions").json().path("items")).hasSize(1);

    String dump = api.get("/api/v1/config").body();
    AdminApiFixture.Response reapplied = apply("?prune=true", dump);
    assertThat(reapplied.json().path("revision").isNull()).as("re-applying the dump changes nothing").isTrue();
    assertThat(reapplied.json().path("changes")).isEmpty();
    assertThat(api.get("/api/v1/config").body()).isEqualTo(dump);

    String yamlDump = api.get("/api/v1/config?format=yaml").body();
    AdminApiFixture.Response yamlReapplied = api.send("POST", "/api/v1/config:apply?prune=true", "application/yaml", yamlDump, AdminApiFixture.ADMIN_TOKEN, Map.of());
    assertThat(yamlReapplied.json().path("changes")).as(yamlReapplied.toString()).isEmpty();
  }

  @Test
  void anInvalidDocumentChangesNothingAndPointsIntoTheDocument() {
    apply("", DOCUMENT);
    Map<String, Long> before = api.snapshot();
    String broken = DOCUMENT.replace("\"cluster\": \"web\", \"weight\": 10", "\"cluster\": \"missing\", \"weight\": 10")
        .replace("\"port\": 10000", "\"port\": 70000");
    AdminApiFixture.Response rejected = apply("?prune=true", broken);
    assertThat(rejected.status()).isEqualTo(422);
    assertThat(rejected.json().path("errors")).extracting(e -> e.path("pointer").asText())
        .contains("/gateways/0/listeners/0/port");
    assertThat(api.snapshot()).isEqualTo(before);

    AdminApiFixture.Response unresolved = apply("", DOCUMENT.replace("\"cluster\": \"web\", \"weight\": 10", "\"cluster\": \"missing\", \"weight\": 10"));
    assertThat(unresolved.status()).isEqualTo(422);
    assertThat(unresolved.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/routes/1/rules/0/backendRefs/1/cluster");
    assertThat(api.snapshot()).isEqualTo(before);
  }

  @Test
  void pruneDeletesWhatTheDocumentOmitsAndYamlIsAccepted() {
    apply("", DOCUMENT);
    AdminApiFixture.Response pruned = api.send("POST", "/api/v1/config:apply?prune=true", "application/yaml", YAML, AdminApiFixture.ADMIN_TOKEN, Map.of());
    assertThat(pruned.status()).as(pruned.toString()).isEqualTo(200);
    assertThat(pruned.json().path("summary").path("delete").asInt()).isEqualTo(4);
    assertThat(api.get("/api/v1/routes/api").status()).isEqualTo(404);
    assertThat(api.get("/api/v1/clusters/api").status()).isEqualTo(404);
    assertThat(api.get("/api/v1/routes/web").status()).isEqualTo(200);
  }

  @Test
  void withoutPruneOmittedResourcesStay() {
    apply("", DOCUMENT);
    AdminApiFixture.Response merged = api.send("POST", "/api/v1/config:apply", "application/yaml", YAML, AdminApiFixture.ADMIN_TOKEN, Map.of());
    assertThat(merged.json().path("changes")).as(merged.toString()).isEmpty();
    assertThat(api.get("/api/v1/routes/api").status()).isEqualTo(200);
  }

  @Test
  void rollbackCreatesANewRevisionEqualToTheTarget() {
    long first = apply("", DOCUMENT).json().path("revision").asLong();
    String atFirst = api.get("/api/v1/config").body();
    api.send("POST", "/api/v1/config:apply?prune=true", "application/yaml", YAML, AdminApiFixture.ADMIN_TOKEN, Map.of());
    long second = api.get("/api/v1/revisions").json().path("items").get(0).path("id").asLong();

    JsonNode diff = api.get("/api/v1/revisions/" + second + "/diff").json();
    assertThat(diff.path("from").asLong()).isEqualTo(first);
    assertThat(diff.path("changes")).extracting(c -> c.path("op").asText() + " " + c.path("kind").asText() + "/" + c.path("name").asText())
        .containsExactlyInAnyOrder("delete clusters/api", "delete auth-policies/jwt", "delete ratelimit-policies/per-user", "delete routes/api");

    AdminApiFixture.Response rolledBack = api.send("POST", "/api/v1/revisions/" + first + "/rollback", null, null, AdminApiFixture.ADMIN_TOKEN, Map.of());
    assertThat(rolledBack.status()).as(rolledBack.toString()).isEqualTo(200);
    long third = rolledBack.json().path("revision").asLong();
    assertThat(third).isGreaterThan(second);
    assertThat(api.get("/api/v1/config").body()).isEqualTo(atFirst);
    assertThat(api.get("/api/v1/revisions/" + third + "/diff?from=" + first).json().path("changes")).isEmpty();

    JsonNode audit = api.get("/api/v1/audit").json().path("items").get(0);
    assertThat(audit.path("operation").asText()).isEqualTo("rollback");
    assertThat(audit.path("actor").asText()).isEqualTo("it-admin");
    assertThat(audit.path("fromRevision").asLong()).isEqualTo(second);
    assertThat(audit.path("toRevision").asLong()).isEqualTo(third);
  }
}
