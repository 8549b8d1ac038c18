package dev.embassy.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embassy.controlplane.ir.Cluster;
import dev.embassy.controlplane.ir.Endpoint;
import dev.embassy.controlplane.ir.GatewayConfig;
import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.Route;
import dev.embassy.controlplane.translate.XdsTranslator;
import dev.embassy.controlplane.xds.AdsServer;
import dev.embassy.controlplane.xds.SnapshotPublisher;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.RepoPaths;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The proof that the toolchain is real: java-control-plane's ADS server, a real Envoy bootstrapped
 * from envoy/bootstrap/edge.yaml, and a real HTTP backend, over state-of-the-world and delta xDS.
 */
class AdsEnvoyEndToEndIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  @ParameterizedTest(name = "api_type {0}")
  @ValueSource(strings = {"GRPC", "DELTA_GRPC"})
  void envoyFollowsTheControlPlane(String apiType) throws Exception {
    try (DemoBackend alpha = DemoBackend.start("alpha");
        DemoBackend beta = DemoBackend.start("beta")) {
      int listenerPort = FreePorts.one();
      SnapshotPublisher publisher = new SnapshotPublisher();
      publisher.publish(XdsTranslator.translate(gateway(listenerPort, "alpha", alpha, beta)));

      try (AdsServer ads = AdsServer.start("127.0.0.1", 0, publisher.cache());
          EnvoyProcess envoy =
              EnvoyProcess.start(
                  RepoPaths.envoyBootstrap("edge.yaml"),
                  Map.of(
                      "ENVOY_NODE_ID", "e2e-" + apiType.toLowerCase(),
                      "ENVOY_NODE_GROUP", "edge",
                      "ENVOY_XDS_API_TYPE", apiType,
                      "EMBASSY_XDS_HOST", "127.0.0.1",
                      "EMBASSY_XDS_PORT", Integer.toString(ads.port())))) {
        envoy.awaitReady(Duration.ofSeconds(30));

        JsonNode dump = JSON.readTree(envoy.admin("/config_dump?include_eds"));
        assertThat(names(dump, "ListenersConfigDump", "dynamic_listeners", "active_state", "listener"))
            .containsExactly("http");
        assertThat(names(dump, "RoutesConfigDump", "dynamic_route_configs", null, "route_config"))
            .containsExactly("http");
        assertThat(names(dump, "ClustersConfigDump", "dynamic_active_clusters", null, "cluster"))
            .containsExactlyInAnyOrder("alpha", "beta");
        assertThat(endpointPorts(dump, "alpha")).containsExactly(alpha.port());

        assertThat(awaitBackend(listenerPort, "alpha", Duration.ofSeconds(10))).isEqualTo("alpha");
        assertThat(alpha.requestCount()).isPositive();

        long publishedAt = System.nanoTime();
        Snapshot second = publisher.publish(XdsTranslator.translate(gateway(listenerPort, "beta", alpha, beta)));
        awaitBackend(listenerPort, "beta", Duration.ofSeconds(5));
        Duration propagation = Duration.ofNanos(System.nanoTime() - publishedAt);
        System.out.printf("route change reached Envoy (%s) in %d ms%n", apiType, propagation.toMillis());
        assertThat(propagation).isLessThan(Duration.ofSeconds(1));

        JsonNode afterChange = JSON.readTree(envoy.configDump());
        JsonNode routeConfig = configsOfType(afterChange, "RoutesConfigDump").get(0).path("dynamic_route_configs").get(0);
        // State of the world reports the type's version; delta reports the resource's own version.
        String expectedVersion =
            apiType.equals("GRPC")
                ? second.routes().version()
                : second.routes().versionedResources().get("http").version();
        assertThat(routeConfig.path("version_info").asText()).isEqualTo(expectedVersion);
      }
    }
  }

  private static GatewayConfig gateway(int listenerPort, String target, DemoBackend alpha, DemoBackend beta) {
    return new GatewayConfig(
        "edge",
        List.of(new HttpListener("http", "127.0.0.1", listenerPort, List.of(new Route("all", "/", target)))),
        List.of(
            new Cluster("alpha", Duration.ofSeconds(1), List.of(new Endpoint("127.0.0.1", alpha.port()))),
            new Cluster("beta", Duration.ofSeconds(1), List.of(new Endpoint("127.0.0.1", beta.port())))));
  }

  /** Polls through Envoy until {@code expected} answers; returns the backend that answered. */
  private static String awaitBackend(int listenerPort, String expected, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> response =
            HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listenerPort + "/hello"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        last = response.statusCode() + " " + response.body();
        if (response.statusCode() == 200) {
          String backend = JSON.readTree(response.body()).path("backend").asText();
          if (backend.equals(expected)) {
            return backend;
          }
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(5);
    }
    throw new AssertionError("backend " + expected + " not reached through Envoy in " + timeout + "; last: " + last);
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
