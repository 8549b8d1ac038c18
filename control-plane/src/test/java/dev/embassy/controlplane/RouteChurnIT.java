package dev.embassy.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.embassy.testsupport.SteadyTraffic;
import dev.embassy.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 4's churn case: under steady traffic on two paths, every revision adds routes (each to a
 * cluster created in the same revision), removes others (and their clusters), reorders the routes
 * and their rules, and hands the busy {@code /shop} path from one route to a differently named
 * one. Envoy must follow every revision, and not one request on the paths that stay routed may
 * fail.
 */
@ExtendWith(PostgresExtension.class)
class RouteChurnIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int REVISIONS = 20;
  private static final int EXTRA_ROUTES = 4;

  @ParameterizedTest(name = "api_type {0}")
  @ValueSource(strings = {"GRPC", "DELTA_GRPC"})
  void addingReorderingAndRemovingRoutesFailsNoRequest(String apiType, TestDatabase database) throws Exception {
    int listenerPort = FreePorts.one();
    Random random = new Random(apiType.hashCode());
    try (DemoBackend backend = DemoBackend.start("app");
        HikariDataSource dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4)) {
      ConfigSchema.migrate(dataSource);
      ConfigStore store = new ConfigStore(dataSource);
      store.apply(document(listenerPort, 0, backend, random), true, false, "it", "revision 0");
      try (ControlPlane controlPlane = ControlPlane.start(LocalControlPlane.config(0), dataSource, "it");
          EnvoyProcess envoy = EnvoyProcess.start(RepoPaths.envoyBootstrap("edge.yaml"), Map.of(
              "ENVOY_NODE_ID", "churn-" + apiType.toLowerCase(), "ENVOY_NODE_GROUP", "edge", "ENVOY_XDS_API_TYPE", apiType,
              "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(controlPlane.xdsPort())))) {
        envoy.awaitReady(Duration.ofSeconds(30));
        awaitStatus(listenerPort, "/extra/0-0", 200);
        try (SteadyTraffic steady = SteadyTraffic.start(listenerPort, "/steady", Duration.ZERO);
            SteadyTraffic shop = SteadyTraffic.start(listenerPort, "/shop", Duration.ZERO)) {
          steady.awaitSuccesses(20, Duration.ofSeconds(10));
          shop.awaitSuccesses(20, Duration.ofSeconds(10));
          for (int revision = 1; revision <= REVISIONS; revision++) {
            store.apply(document(listenerPort, revision, backend, random), true, false, "it", "revision " + revision);
            // The revision's new routes become routable; the previous revision's are gone.
            awaitStatus(listenerPort, "/extra/" + revision + "-" + (EXTRA_ROUTES - 1), 200);
            assertThat(status(listenerPort, "/extra/" + (revision - 1) + "-0")).as("a removed route").isEqualTo(404);
          }
          steady.awaitSuccesses(steady.successes() + 20, Duration.ofSeconds(5));
          shop.awaitSuccesses(shop.successes() + 20, Duration.ofSeconds(5));
          System.out.printf("route churn (%s): %d revisions, /steady %d requests %d failed %s, /shop %d requests %d failed %s%n",
              apiType, REVISIONS, steady.successes() + steady.failures(), steady.failures(), steady.failedStatuses(),
              shop.successes() + shop.failures(), shop.failures(), shop.failedStatuses());
          assertThat(steady.failures()).as("/steady failed during churn: " + steady.failedStatuses()).isZero();
          assertThat(shop.failures()).as("/shop failed while handed between routes: " + shop.failedStatuses()).isZero();
          ServedConfigValidation.assertEnvoyAccepts(controlPlane, "edge");
        }
      }
    }
  }

  /**
   * Revision n: route {@code steady}; {@code /shop} served by route shop-a (even n) or shop-b (odd
   * n); and EXTRA_ROUTES routes {@code extra-n-k}, each to its own new cluster, replacing revision
   * n−1's. Routes and the steady route's rules come in a random order.
   */
  private static ConfigDocument document(int listenerPort, int revision, DemoBackend backend, Random random) throws Exception {
    List<String> routes = new ArrayList<>();
    List<String> steadyRules = new ArrayList<>(List.of(
        "{matches: [{path: {value: /steady}}], backendRefs: [{cluster: stable}]}",
        "{matches: [{path: {type: Exact, value: /steady/exact}}], backendRefs: [{cluster: stable}]}",
        "{matches: [{path: {value: /steady}, method: POST}], backendRefs: [{cluster: stable}]}"));
    Collections.shuffle(steadyRules, random);
    routes.add("{name: steady, gateway: edge, rules: [" + String.join(", ", steadyRules) + "]}");
    routes.add("{name: shop-" + (revision % 2 == 0 ? "a" : "b")
        + ", gateway: edge, rules: [{matches: [{path: {value: /shop}}], backendRefs: [{cluster: stable}]}]}");
    StringBuilder clusters = new StringBuilder("  - {name: stable, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}\n"
        .formatted(backend.port()));
    for (int k = 0; k < EXTRA_ROUTES; k++) {
      String name = "extra-" + revision + "-" + k;
      clusters.append("  - {name: %s, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}\n".formatted(name, backend.port()));
      routes.add("{name: %s, gateway: edge, rules: [{matches: [{path: {value: /extra/%d-%d}}], backendRefs: [{cluster: %s}]}]}"
          .formatted(name, revision, k, name));
    }
    Collections.shuffle(routes, random);
    StringBuilder yaml = new StringBuilder("clusters:\n").append(clusters)
        .append("gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: ").append(listenerPort).append("}]}]\n")
        .append("routes:\n");
    routes.forEach(route -> yaml.append("  - ").append(route).append('\n'));
    return ConfigJson.yaml().readValue(yaml.toString(), ConfigDocument.class);
  }

  private static int status(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static void awaitStatus(int port, String path, int expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int last = -1;
    while (System.nanoTime() < deadline) {
      last = status(port, path);
      if (last == expected) {
        return;
      }
      Thread.sleep(5);
    }
    throw new AssertionError(path + " never answered " + expected + "; last " + last);
  }
}
