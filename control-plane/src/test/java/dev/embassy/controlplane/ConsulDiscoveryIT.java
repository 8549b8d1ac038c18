package dev.embassy.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.RepoPaths;
import dev.embassy.testsupport.ConsulAgent;
import dev.embassy.testsupport.SteadyTraffic;
import dev.embassy.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Consul discovery end to end, with a real {@code consul agent -dev}, the control plane and a real
 * Envoy in front of real backends: instances registered in Consul take traffic; a graceful
 * deregistration under load fails nothing; a failing health check takes an instance out of Envoy
 * within a second; while Consul is down Envoy keeps routing to the last known endpoints, and once
 * it is back new registrations show up. A static cluster beside it keeps serving throughout: an
 * endpoint change sends EDS alone and leaves every other assignment in place.
 */
@ExtendWith(PostgresExtension.class)
class ConsulDiscoveryIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  @ParameterizedTest(name = "api_type {0}")
  @ValueSource(strings = {"GRPC", "DELTA_GRPC"})
  void envoyFollowsConsul(String apiType, TestDatabase database) throws Exception {
    int listenerPort = FreePorts.one();
    try (ConsulAgent consul = ConsulAgent.start();
        DemoBackend alpha = DemoBackend.start("alpha");
        DemoBackend beta = DemoBackend.start("beta");
        DemoBackend gamma = DemoBackend.start("gamma");
        DemoBackend delta = DemoBackend.start("delta");
        DemoBackend other = DemoBackend.start("other");
        HikariDataSource dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4)) {
      register(consul, alpha);
      register(consul, beta);
      ConfigSchema.migrate(dataSource);
      new ConfigStore(dataSource).apply(ConfigJson.yaml().readValue("""
          clusters:
            - {name: web, discovery: {consul: {service: web}}}
            - {name: other, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
          gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: %d}]}]
          routes:
            - {name: web, gateway: edge, rules: [{matches: [{path: {value: /web}}], backendRefs: [{cluster: web}]}]}
            - {name: other, gateway: edge, rules: [{matches: [{path: {value: /other}}], backendRefs: [{cluster: other}]}]}
          """.formatted(other.port(), listenerPort), ConfigDocument.class), true, false, "it", "seed");

      ControlPlaneConfig config = ControlPlaneConfig.fromEnvironment(Map.of(
          "EMBASSY_XDS_PORT", "0", "EMBASSY_STATUS_PORT", "0", "EMBASSY_LISTENER_ADDRESS", "127.0.0.1", "EMBASSY_REPLICA_ID", "it",
          "EMBASSY_CONSUL_ADDRESS", consul.httpAddress().toString(),
          // A restarted dev agent answers again within a second or two; retry at that pace.
          "EMBASSY_CONSUL_RETRY_MAX", "500ms"));
      try (ControlPlane controlPlane = ControlPlane.start(config, dataSource, "it");
          EnvoyProcess envoy = EnvoyProcess.start(RepoPaths.envoyBootstrap("edge.yaml"), Map.of(
              "ENVOY_NODE_ID", "consul-" + apiType.toLowerCase(), "ENVOY_NODE_GROUP", "edge", "ENVOY_XDS_API_TYPE", apiType,
              "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(controlPlane.xdsPort())))) {
        envoy.awaitReady(Duration.ofSeconds(30));

        // Both instances take traffic.
        Set<String> seen = new HashSet<>();
        await(() -> {
          seen.add(backend(listenerPort, "/web"));
          return seen.containsAll(Set.of("alpha", "beta"));
        }, Duration.ofSeconds(10), "traffic reaches both instances: " + seen);

        try (SteadyTraffic web = SteadyTraffic.start(listenerPort, "/web", Duration.ofMillis(2));
            SteadyTraffic others = SteadyTraffic.start(listenerPort, "/other", Duration.ofMillis(5))) {
          web.awaitSuccesses(20, Duration.ofSeconds(5));
          others.awaitSuccesses(20, Duration.ofSeconds(5));

          // Graceful deregistration: out of Consul first, stopped once Envoy has let go of it.
          long started = System.nanoTime();
          consul.http("PUT", "/v1/agent/service/deregister/" + beta.name(), null);
          await(() -> !endpointPorts(envoy, "web").contains(beta.port()), Duration.ofSeconds(5), "beta leaves Envoy");
          System.out.printf("consul (%s): deregistration to Envoy: %d ms%n", apiType, (System.nanoTime() - started) / 1_000_000);
          // A graceful stop drains: a request Envoy sent to beta just before the EDS update is
          // still in flight when the endpoint leaves (one such 503 was seen in CI with delta).
          Thread.sleep(250);
          beta.close();

          // A health check goes critical: the instance leaves Envoy within a second.
          register(consul, gamma);
          await(() -> endpointPorts(envoy, "web").contains(gamma.port()), Duration.ofSeconds(5), "gamma joins Envoy");
          started = System.nanoTime();
          consul.http("PUT", "/v1/agent/check/fail/service:" + gamma.name(), null);
          await(() -> !endpointPorts(envoy, "web").contains(gamma.port()), Duration.ofSeconds(5), "gamma leaves Envoy");
          long flipMillis = (System.nanoTime() - started) / 1_000_000;
          System.out.printf("consul (%s): check critical to out of Envoy: %d ms%n", apiType, flipMillis);
          assertThat(flipMillis).as("critical instance out of Envoy").isLessThan(1_000);

          // Consul goes away: Envoy keeps routing to what it knows, health says so.
          long before = web.successes();
          consul.kill();
          await(() -> !controlPlane.failingDiscovery().isEmpty(), Duration.ofSeconds(10), "health reports the failing watch");
          Thread.sleep(1_000);
          assertThat(web.successes()).as("traffic during the Consul outage").isGreaterThan(before + 50);
          assertThat(endpointPorts(envoy, "web")).containsExactly(alpha.port());
          assertThat(web.failures()).as("failed requests through deregistration, health flip and outage: " + web.failedStatuses()).isZero();
          assertThat(others.failures()).as("the static cluster beside it").isZero();
        }

        // Consul is back (a dev agent comes back empty): registrations made now show up.
        consul.restart();
        register(consul, alpha);
        register(consul, delta);
        await(() -> endpointPorts(envoy, "web").equals(new TreeSet<>(Set.of(alpha.port(), delta.port()))), Duration.ofSeconds(15),
            "new registrations after Consul's restart");
        await(controlPlane.failingDiscovery()::isEmpty, Duration.ofSeconds(10), "health recovers");
        assertThat(backend(listenerPort, "/other")).isEqualTo("other");
        ServedConfigValidation.assertEnvoyAccepts(controlPlane, "edge");
      }
    }
  }

  private static void register(ConsulAgent consul, DemoBackend backend) {
    consul.http("PUT", "/v1/agent/service/register", """
        {"ID": "%s", "Name": "web", "Address": "127.0.0.1", "Port": %d, "Check": {"TTL": "1h", "Status": "passing"}}
        """.formatted(backend.name(), backend.port()));
  }

  /** The ports of the endpoints Envoy holds for {@code cluster}. */
  private static Set<Integer> endpointPorts(EnvoyProcess envoy, String cluster) {
    Set<Integer> ports = new TreeSet<>();
    try {
      for (JsonNode status : JSON.readTree(envoy.admin("/clusters?format=json")).path("cluster_statuses")) {
        if (status.path("name").asText().equals(cluster)) {
          status.path("host_statuses").forEach(h -> ports.add(h.path("address").path("socket_address").path("port_value").asInt()));
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot read Envoy's clusters", e);
    }
    return ports;
  }

  private static String backend(int port, String path) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? JSON.readTree(response.body()).path("backend").asText() : "status " + response.statusCode();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(5);
    }
  }
}
