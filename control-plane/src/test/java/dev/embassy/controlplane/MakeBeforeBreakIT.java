package dev.embassy.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.RepoPaths;
import dev.embassy.testsupport.SteadyTraffic;
import dev.embassy.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The route under steady traffic moves, again and again, to a cluster that did not exist a moment
 * before, while the cluster it left is deleted in the same revision. Make-before-break means the
 * new cluster and its endpoints are at Envoy, warm, before the route points at it, and the old one
 * goes only after the route has left it: not one request may fail (Envoy Gateway lost thousands
 * of requests to 503s in changes like these).
 */
@ExtendWith(PostgresExtension.class)
class MakeBeforeBreakIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int SWITCHES = 12;

  @ParameterizedTest(name = "api_type {0}")
  @ValueSource(strings = {"GRPC", "DELTA_GRPC"})
  void switchingARouteToABrandNewClusterFailsNoRequest(String apiType, TestDatabase database) throws Exception {
    int listenerPort = FreePorts.one();
    try (DemoBackend blue = DemoBackend.start("blue");
        DemoBackend green = DemoBackend.start("green");
        HikariDataSource dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4)) {
      ConfigSchema.migrate(dataSource);
      ConfigStore store = new ConfigStore(dataSource);
      store.apply(document(listenerPort, 0, blue), true, false, "it", "generation 0");
      try (ControlPlane controlPlane = ControlPlane.start(LocalControlPlane.config(0), dataSource, "it");
          EnvoyProcess envoy = EnvoyProcess.start(RepoPaths.envoyBootstrap("edge.yaml"), Map.of(
              "ENVOY_NODE_ID", "mbb-" + apiType.toLowerCase(), "ENVOY_NODE_GROUP", "edge", "ENVOY_XDS_API_TYPE", apiType,
              "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(controlPlane.xdsPort())))) {
        envoy.awaitReady(Duration.ofSeconds(30));
        try (SteadyTraffic traffic = SteadyTraffic.start(listenerPort, "/app", Duration.ZERO)) {
          traffic.awaitSuccesses(20, Duration.ofSeconds(10));
          for (int generation = 1; generation <= SWITCHES; generation++) {
            DemoBackend backend = generation % 2 == 0 ? blue : green;
            store.apply(document(listenerPort, generation, backend), true, false, "it", "generation " + generation);
            awaitBackend(listenerPort, backend.name());
          }
          long settled = traffic.successes();
          traffic.awaitSuccesses(settled + 20, Duration.ofSeconds(5));
          System.out.printf("make-before-break (%s): %d switches, %d requests, %d failed %s%n",
              apiType, SWITCHES, traffic.successes() + traffic.failures(), traffic.failures(), traffic.failedStatuses());
          assertThat(traffic.failures()).as("requests failed while the route moved: " + traffic.failedStatuses()).isZero();
          ServedConfigValidation.assertEnvoyAccepts(controlPlane, "edge");
        }
      }
    }
  }

  /** Generation n: the one route goes to cluster gen-n (only that cluster exists). */
  private static ConfigDocument document(int listenerPort, int generation, DemoBackend backend) throws Exception {
    return ConfigJson.yaml().readValue("""
        clusters: [{name: gen-%d, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}]
        gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: %d}]}]
        routes: [{name: app, gateway: edge, rules: [{backendRefs: [{cluster: gen-%d}]}]}]
        """.formatted(generation, backend.port(), listenerPort, generation), ConfigDocument.class);
  }

  private static void awaitBackend(int port, String name) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/app"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      last = response.statusCode() + " " + response.body();
      if (response.statusCode() == 200 && JSON.readTree(response.body()).path("backend").asText().equals(name)) {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("route never reached " + name + "; last answer " + last);
  }
}
