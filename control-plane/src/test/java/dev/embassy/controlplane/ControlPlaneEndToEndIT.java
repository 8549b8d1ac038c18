package dev.embassy.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.Route;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.controlplane.cache.GroupSnapshot;
import dev.embassy.controlplane.cache.XdsType;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.RepoPaths;
import dev.embassy.testsupport.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole path with real parts: a write committed to a real Postgres, announced by NOTIFY,
 * translated, served by java-control-plane's ADS server to a real Envoy bootstrapped from
 * envoy/bootstrap/edge.yaml, in front of a real HTTP backend; over state of the world and delta.
 */
@ExtendWith(PostgresExtension.class)
class ControlPlaneEndToEndIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  @ParameterizedTest(name = "api_type {0}")
  @ValueSource(strings = {"GRPC", "DELTA_GRPC"})
  void envoyFollowsCommittedRevisions(String apiType, TestDatabase database) throws Exception {
    int listenerPort = FreePorts.one();
    try (DemoBackend alpha = DemoBackend.start("alpha");
        DemoBackend beta = DemoBackend.start("beta");
        HikariDataSource dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4)) {
      ConfigSchema.migrate(dataSource);
      ConfigStore store = new ConfigStore(dataSource);
      store.apply(document(listenerPort, alpha, beta), true, false, "it", "seed");

      try (ControlPlane controlPlane = ControlPlane.start(LocalControlPlane.config(0), dataSource, "it");
          EnvoyProcess envoy = EnvoyProcess.start(RepoPaths.envoyBootstrap("edge.yaml"), Map.of(
              "ENVOY_NODE_ID", "e2e-" + apiType.toLowerCase(),
              "ENVOY_NODE_GROUP", "edge",
              "ENVOY_XDS_API_TYPE", apiType,
              "EMBASSY_XDS_HOST", "127.0.0.1",
              "EMBASSY_XDS_PORT", Integer.toString(controlPlane.xdsPort())))) {
        envoy.awaitReady(Duration.ofSeconds(30));

        JsonNode dump = JSON.readTree(envoy.admin("/config_dump?include_eds"));
        assertThat(names(dump, "ListenersConfigDump", "dynamic_listeners", "active_state", "listener")).containsExactly("edge-http");
        assertThat(names(dump, "RoutesConfigDump", "dynamic_route_configs", null, "route_config")).containsExactly("edge-http");
        assertThat(names(dump, "ClustersConfigDump", "dynamic_active_clusters", null, "cluster")).containsExactly("alpha");
        assertThat(endpointPorts(dump, "alpha")).containsExactly(alpha.port());
        assertThat(awaitBackend(listenerPort, "/hello", "alpha", Duration.ofSeconds(10))).isEqualTo("alpha");

        // A route change committed to the store reaches Envoy: make-before-break sends cluster
        // beta before the route that needs it.
        Route route = (Route) store.get(dev.embassy.config.model.ResourceKind.ROUTE, "all").orElseThrow().resource();
        Route toBeta = new Route(route.name(), route.labels(), route.gateway(), route.listener(), route.hostnames(),
            List.of(new Route.Rule(null, null, List.of(new Route.BackendRef("beta", 1)), null, null)),
            route.authPolicy(), route.rateLimitPolicy());
        long committedAt = System.nanoTime();
        store.replace(toBeta, OptionalLong.empty(), "it", "switch to beta");
        awaitBackend(listenerPort, "/hello", "beta", Duration.ofSeconds(5));
        Duration propagation = Duration.ofNanos(System.nanoTime() - committedAt);
        System.out.printf("commit-to-Envoy propagation (%s): %d ms%n", apiType, propagation.toMillis());
        assertThat(propagation).isLessThan(Duration.ofSeconds(1));

        GroupSnapshot served = controlPlane.cache().target("edge").orElseThrow();
        JsonNode routeConfig = configsOfType(JSON.readTree(envoy.configDump()), "RoutesConfigDump").getFirst()
            .path("dynamic_route_configs").get(0);
        // State of the world reports the type's version; delta reports the resource's own.
        String expectedVersion = apiType.equals("GRPC")
            ? served.version(XdsType.ROUTE)
            : served.resources(XdsType.ROUTE).get("edge-http").version();
        assertThat(routeConfig.path("version_info").asText()).isEqualTo(expectedVersion);

        ServedConfigValidation.assertEnvoyAccepts(controlPlane, "edge");
        store.delete(dev.embassy.config.model.ResourceKind.ROUTE, "all", OptionalLong.empty(), "it", "remove route");
        awaitStatus(listenerPort, "/hello", 404, Duration.ofSeconds(5));
      }
    }
  }

  private static ConfigDocument document(int listenerPort, DemoBackend alpha, DemoBackend beta) throws IOException {
    return ConfigJson.yaml().readValue("""
        clusters:
          - {name: alpha, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
          - {name: beta, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
        gateways:
          - {name: edge, nodeGroup: edge, listeners: [{name: http, port: %d}]}
        routes:
          - {name: all, gateway: edge, rules: [{backendRefs: [{cluster: alpha}]}]}
        """.formatted(alpha.port(), beta.port(), listenerPort), ConfigDocument.class);
  }

  /** Polls through Envoy until {@code expected} answers; returns the backend that answered. */
  private static String awaitBackend(int listenerPort, String path, String expected, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> response = get(listenerPort, path);
        last = response.statusCode() + " " + response.body();
        if (response.statusCode() == 200 && JSON.readTree(response.body()).path("backend").asText().equals(expected)) {
          return expected;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(5);
    }
    throw new AssertionError("backend " + expected + " not reached through Envoy in " + timeout + "; last: " + last);
  }

  private static void awaitStatus(int listenerPort, String path, int status, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    int last = -1;
    while (System.nanoTime() < deadline) {
      try {
        last = get(listenerPort, path).statusCode();
        if (last == status) {
          return;
        }
      } catch (IOException e) {
        last = -1;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("expected " + status + " through Envoy within " + timeout + "; last " + last);
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<JsonNode> configsOfType(JsonNode dump, String type) {
    List<JsonNode> configs = new ArrayList<>();
    for (JsonNode config : dump.path("configs")) {
      if (config.path("@type").asText().endsWith("." + type)) {
        configs.add(config);
      }
    }
    return configs;
  }

  private static List<String> names(JsonNode dump, String type, String list, String state, String resource) {
    List<String> names = new ArrayList<>();
    for (JsonNode config : configsOfType(dump, type)) {
      for (JsonNode entry : config.path(list)) {
        JsonNode holder = state == null ? entry : entry.path(state);
        names.add(holder.path(resource).path("name").asText());
      }
    }
    return names;
  }

  private static List<Integer> endpointPorts(JsonNode dump, String cluster) {
    List<Integer> ports = new ArrayList<>();
    for (JsonNode config : configsOfType(dump, "EndpointsConfigDump")) {
      for (JsonNode entry : config.path("dynamic_endpoint_configs")) {
        JsonNode assignment = entry.path("endpoint_config");
        if (!assignment.path("cluster_name").asText().equals(cluster)) {
          continue;
        }
        for (JsonNode locality : assignment.path("endpoints")) {
          for (JsonNode lb : locality.path("lb_endpoints")) {
            ports.add(lb.path("endpoint").path("address").path("socket_address").path("port_value").asInt());
          }
        }
      }
    }
    return ports;
  }
}
