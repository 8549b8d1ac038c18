package dev.embassy.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.embassy.testsupport.LocalPostgresCluster;
import dev.embassy.testsupport.RepoPaths;
import dev.embassy.testsupport.SteadyTraffic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Outages under steady traffic through a real Envoy, with zero failed requests: Postgres going away
 * (the control plane keeps serving, says so in its health, and follows again when Postgres is
 * back) and the control plane itself restarting (Envoy keeps routing and resyncs).
 */
class ResilienceIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  @Test
  void envoyKeepsRoutingThroughAStoreOutageAndAControlPlaneRestart() throws Exception {
    int listenerPort = FreePorts.one();
    int xdsPort = FreePorts.one();
    try (LocalPostgresCluster postgres = LocalPostgresCluster.start();
        DemoBackend backend = DemoBackend.start("steady")) {
      try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl("postgres"), "postgres", "");
          Statement statement = admin.createStatement()) {
        statement.execute("CREATE DATABASE resilience");
      }
      try (HikariDataSource dataSource = ConfigDatabase.connect(postgres.jdbcUrl("resilience"), "postgres", "", 4)) {
        ConfigSchema.migrate(dataSource);
        ConfigStore store = new ConfigStore(dataSource);
        store.apply(document(listenerPort, backend, "/"), true, false, "it", "seed");

        ControlPlane first = ControlPlane.start(LocalControlPlane.config(xdsPort), dataSource, "it");
        try (EnvoyProcess envoy = EnvoyProcess.start(RepoPaths.envoyBootstrap("edge.yaml"), Map.of(
                "ENVOY_NODE_ID", "resilience", "ENVOY_NODE_GROUP", "edge", "ENVOY_XDS_API_TYPE", "DELTA_GRPC",
                "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(xdsPort)));
            SteadyTraffic traffic = SteadyTraffic.start(listenerPort, "/steady", Duration.ofMillis(5))) {
          envoy.awaitReady(Duration.ofSeconds(30));
          traffic.awaitSuccesses(50, Duration.ofSeconds(10));

          // Postgres goes away: the control plane keeps serving and reports it.
          postgres.stopServer();
          awaitTrue(() -> !first.storeReachable(), Duration.ofSeconds(10), "follower notices the outage");
          long before = traffic.successes();
          Thread.sleep(1_500);
          assertThat(traffic.successes()).isGreaterThan(before);

          // Postgres returns: the control plane reconnects by itself and follows new revisions.
          postgres.restart();
          awaitTrue(() -> first.storeReachable(), Duration.ofSeconds(15), "follower reconnects");
          store.apply(document(listenerPort, backend, "/"), false, false, "it", "after outage");
          awaitTrue(() -> status(listenerPort, "/moved") == 200, Duration.ofSeconds(5), "new route served after the outage");

          // The control plane restarts: Envoy keeps routing on what it has, then resyncs.
          first.close();
          before = traffic.successes();
          Thread.sleep(1_500);
          assertThat(traffic.successes()).isGreaterThan(before);
          try (ControlPlane second = ControlPlane.start(LocalControlPlane.config(xdsPort), dataSource, "it")) {
            store.apply(document(listenerPort, backend, "/again"), false, false, "it", "after restart");
            awaitTrue(() -> status(listenerPort, "/again") == 200, Duration.ofSeconds(20), "Envoy resyncs with the new replica");
            assertThat(traffic.failures()).as("failed requests during both outages").isZero();
            System.out.printf("resilience: %d requests, %d failed%n", traffic.successes() + traffic.failures(), traffic.failures());
          }
        }
      }
    }
  }

  private static ConfigDocument document(int listenerPort, DemoBackend backend, String extraPrefix) throws Exception {
    return ConfigJson.yaml().readValue("""
        clusters: [{name: steady, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}]
        gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: %d}]}]
        routes:
          - {name: steady, gateway: edge, rules: [{matches: [{path: {type: PathPrefix, value: /steady}}], backendRefs: [{cluster: steady}]}]}
          - {name: moved, gateway: edge, rules: [{matches: [{path: {type: PathPrefix, value: /moved}}], backendRefs: [{cluster: steady}]}]}
          - {name: extra, gateway: edge, rules: [{matches: [{path: {type: PathPrefix, value: %s}}], backendRefs: [{cluster: steady}]}]}
        """.formatted(backend.port(), listenerPort, extraPrefix.equals("/") ? "/extra" : extraPrefix), ConfigDocument.class);
  }

  private static int status(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }
}
