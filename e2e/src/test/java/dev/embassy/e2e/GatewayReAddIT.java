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
 * A gateway deleted and then created again, over delta ADS, while its Envoy stays connected. The
 * deleted listener drains and keeps its RouteConfiguration subscription, and the re-created
 * listener shares it without subscribing again: the control plane must still send the re-created
 * RouteConfiguration. It did not (java-control-plane forgets a name once its removal is ACKed), so
 * the Envoy routed by the copy it had before the deletion and never reported the new revision.
 */
@ExtendWith(PostgresExtension.class)
class GatewayReAddIT {
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

  private static String backend(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("backend").asText();
  }
}
