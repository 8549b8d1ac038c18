package dev.embassy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embassy.config.store.ProxyStatuses;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /api/v1/proxies and /api/v1/nacks show what control-plane replicas reported to Postgres. */
class ProxyStatusApiIT extends AdminApiTestCase {


  @Test
  void proxiesShowAckedVersionsAndTheirLastNack() {
    ProxyStatuses statuses = new ProxyStatuses(api.dataSource());
    String routes = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
    statuses.replace("cp-1:18000", List.of(
        new ProxyStatuses.Proxy("cp-1:18000", "edge-a", "edge", Instant.parse("2026-11-23T10:00:00Z"), Map.of(routes, "v1"), 3),
        new ProxyStatuses.Proxy("cp-1:18000", "edge-b", "edge", Instant.parse("2026-11-23T10:00:01Z"), Map.of(routes, "v1"), 2)));
    statuses.recordNack("cp-1:18000", "edge-b", "edge", routes, "v2", "invalid escape sequence: \\1", Instant.parse("2026-11-23T10:01:00Z"));

    JsonNode proxies = api.get("/api/v1/proxies").json().path("items");
    assertThat(proxies).extracting(p -> p.path("proxyId").asText()).containsExactly("edge-a", "edge-b");
    assertThat(proxies.get(0).path("acked").path(routes).asText()).isEqualTo("v1");
    assertThat(proxies.get(0).has("lastNack")).isFalse();
    assertThat(proxies.get(1).path("lastNack").path("version").asText()).isEqualTo("v2");
    assertThat(proxies.get(1).path("lastNack").path("detail").asText()).contains("invalid escape");

    JsonNode nacks = api.get("/api/v1/nacks?proxy=edge-b").json().path("items");
    assertThat(nacks).hasSize(1);
    assertThat(nacks.get(0).path("typeUrl").asText()).isEqualTo(routes);
    assertThat(api.get("/api/v1/nacks?proxy=edge-a").json().path("items")).isEmpty();

    // A replica that reports nothing new replaces its rows: disconnected proxies disappear.
    statuses.replace("cp-1:18000", List.of());
    assertThat(api.get("/api/v1/proxies").json().path("items")).isEmpty();
  }
}
