package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Removals over delta ADS through a real Envoy that stays connected, where java-control-plane's
 * own tracking of what the proxy holds goes wrong (docs/config-delivery.md):
 * <ul>
 *   <li>a gateway deleted and created again: the deleted listener drains and keeps its
 *       RouteConfiguration subscription, and the re-created listener shares it without subscribing
 *       again; the re-created RouteConfiguration must still be sent;
 *   <li>a cluster removed: Envoy unsubscribes from its endpoints, sometimes before they were
 *       removed; the revision must still be reported applied.
 * </ul>
 * Each {@code apply} waits until the Envoy reports the revision applied, so a miss times out.
 */
@ExtendWith(PostgresExtension.class)
class ResourceRemovalIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aRecreatedGatewayIsServedWithItsNewRoutes(TestDatabase database) throws Exception {
    try (DemoBackend first = DemoBackend.start("first"); DemoBackend second = DemoBackend.start("second");
        Gateway gateway = Gateway.start(database, Map.of())) {
      gateway.envoy().awaitReady(Duration.ofSeconds(30));
      String clusters = """
          clusters:
            - {name: first, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
            - {name: second, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
          """.formatted(first.port(), second.port());
      String gatewayTo = """
          gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: ${LISTENER_PORT}}]}]
          routes: [{name: all, gateway: edge, rules: [{backendRefs: [{cluster: %s}]}]}]
          """;
      gateway.apply(clusters + gatewayTo.formatted("first"));
      assertThat(backend(gateway.get("/x", Map.of()))).isEqualTo("first");

      gateway.apply(clusters); // the gateway and its route deleted (the apply prunes)
      gateway.apply(clusters + gatewayTo.formatted("second"));
      // apply returned: the Envoy reported the re-created revision as applied; and it routes by it.
      assertThat(backend(gateway.get("/x", Map.of()))).as("the re-created route, not the deleted one").isEqualTo("second");
    }
  }

  @Test
  void aRevisionThatRemovesAClusterIsReportedApplied(TestDatabase database) throws Exception {
    try (DemoBackend app = DemoBackend.start("app"); DemoBackend other = DemoBackend.start("other");
        Gateway gateway = Gateway.start(database, Map.of())) {
      gateway.envoy().awaitReady(Duration.ofSeconds(30));
      String app1 = "  - {name: app, discovery: {static: {endpoints: [{address: 127.0.0.1, port: " + app.port() + "}]}}}\n";
      String other1 = "  - {name: other, discovery: {static: {endpoints: [{address: 127.0.0.1, port: " + other.port() + "}]}}}\n";
      String rest = """
          gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: ${LISTENER_PORT}}]}]
          routes:
            - {name: all, gateway: edge, rules: [{backendRefs: [{cluster: app}]}]}
          """;
      // The route to other goes with it, so the cluster leaves only after the route (make before
      // break), and Envoy drops its endpoints as soon as it drops the cluster.
      String otherRoute = "  - {name: to-other, gateway: edge, rules: [{matches: [{path: {value: /other}}], backendRefs: [{cluster: other}]}]}\n";
      gateway.apply("clusters:\n" + app1 + other1 + rest + otherRoute);
      assertThat(backend(gateway.get("/other", Map.of()))).isEqualTo("other");
      gateway.apply("clusters:\n" + app1 + rest); // apply returns only once the Envoy reports the revision applied
      assertThat(backend(gateway.get("/other", Map.of()))).isEqualTo("app");
      gateway.apply("clusters:\n" + app1 + other1 + rest + otherRoute); // and back
      assertThat(backend(gateway.get("/other", Map.of()))).isEqualTo("other");
    }
  }

  private static String backend(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("backend").asText();
  }
}
