package dev.embassy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Consul Connect opt-ins through the real HTTP server: a gateway without an identity that
 * would call a Connect cluster, a malformed service name, and a Connect cluster with TLS of its own
 * each get a problem+json answer pointing at the field, and the database stays as it was.
 */
class ConnectApiIT extends AdminApiTestCase {
  private static final String API = """
      {"name":"api","discovery":{"static":{"endpoints":[{"address":"127.0.0.1","port":21001}]}},"connect":{"service":"api"}}""";
  private static final String WEB = """
      {"name":"web","nodeGroup":"web","sidecar":{"inbound":{"port":21000,"appPort":8080},"outbound":{"port":15001,"clusters":["api"]}%s}}""";

  @Test
  void aSidecarWithAnIdentityMayCallAConnectCluster() {
    assertThat(api.post("/api/v1/clusters", API).status()).isEqualTo(201);
    AdminApiFixture.Response created = api.post("/api/v1/gateways", WEB.formatted(",\"connect\":{\"service\":\"web\"}"));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.json().path("sidecar").path("connect").path("service").asText()).isEqualTo("web");
  }

  @Test
  void connectMistakesAreRefusedAtTheirFieldAndChangeNothing() {
    assertThat(api.post("/api/v1/clusters", API).status()).isEqualTo(201);
    Map<String, Long> before = api.snapshot();

    AdminApiFixture.Response noIdentity = api.post("/api/v1/gateways", WEB.formatted(""));
    assertThat(noIdentity.status()).as(noIdentity.toString()).isEqualTo(422);
    assertThat(noIdentity.header("Content-Type")).startsWith("application/problem+json");
    assertThat(noIdentity.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/sidecar/outbound/clusters/0");
    assertThat(noIdentity.json().path("errors").get(0).path("detail").asText()).contains("sidecar.connect");

    AdminApiFixture.Response badName = api.post("/api/v1/gateways", WEB.formatted(",\"connect\":{\"service\":\"web/../db\"}"));
    assertThat(badName.status()).isEqualTo(422);
    assertThat(badName.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/sidecar/connect/service");

    AdminApiFixture.Response tls = api.put("/api/v1/clusters/api", API.replace("\"connect\"", "\"tls\":{\"sni\":\"api\"},\"connect\""), Map.of());
    assertThat(tls.status()).isEqualTo(422);
    assertThat(tls.json().path("errors").get(0).path("pointer").asText()).isEqualTo("/tls");

    assertThat(api.snapshot()).as("nothing written").isEqualTo(before);
  }
}
