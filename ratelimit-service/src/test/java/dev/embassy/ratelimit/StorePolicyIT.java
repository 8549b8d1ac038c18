package dev.embassy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.LocalPostgresCluster;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Policies from the real config store: enforced once loaded, changed live through LISTEN/NOTIFY,
 * kept in force while Postgres is down (health says degraded), followed again when it returns.
 */
class StorePolicyIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  @Test
  void followsTheStoreAndKeepsTheLastPoliciesThroughAnOutage() throws Exception {
    try (LocalPostgresCluster postgres = LocalPostgresCluster.start()) {
      try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl("postgres"), "postgres", "");
          Statement statement = admin.createStatement()) {
        statement.execute("CREATE DATABASE ratelimit");
      }
      try (HikariDataSource dataSource = ConfigDatabase.connect(postgres.jdbcUrl("ratelimit"), "postgres", "", 2)) {
        ConfigSchema.migrate(dataSource);
        ConfigStore store = new ConfigStore(dataSource);
        store.apply(document(2), true, false, "it", "first limit");
        int[] ports = FreePorts.many(2);
        try (RateLimitNode node = RateLimitNode.start(RateLimitServiceConfig.fromEnvironment(Map.of(
                "EMBASSY_RATELIMIT_PORT", Integer.toString(ports[0]),
                "EMBASSY_RATELIMIT_STATUS_PORT", Integer.toString(ports[1]),
                "EMBASSY_RATELIMIT_NODE_ID", "store",
                "EMBASSY_DATABASE_URL", postgres.jdbcUrl("ratelimit"),
                "EMBASSY_DATABASE_USER", "postgres")));
            Client client = new Client(ports[0])) {
          await(() -> status(ports[1], "/readyz") == 200, "node ready with the store's policies");
          assertThat(client.limitOf("zed")).isEqualTo(2);
          assertThat(client.code("alice")).isEqualTo(RateLimitResponse.Code.OK);
          assertThat(client.code("alice")).isEqualTo(RateLimitResponse.Code.OK);
          assertThat(client.code("alice")).isEqualTo(RateLimitResponse.Code.OVER_LIMIT);

          // A new revision raises the limit: the node follows without a restart.
          store.apply(document(5), true, false, "it", "raise the limit");
          await(() -> client.limitOf("bob") == 5, "new limit enforced");

          // Postgres goes away: the node says so and keeps enforcing what it has.
          postgres.stopServer();
          await(() -> body(ports[1], "/healthz").contains("\"status\":\"degraded\""), "health reports the outage");
          assertThat(status(ports[1], "/readyz")).isEqualTo(200);
          assertThat(client.limitOf("carol")).isEqualTo(5);
          assertThat(body(ports[1], "/metrics")).contains("embassy_ratelimit_policy_source_reachable 0.0");

          // Postgres returns: the node reconnects by itself and follows new revisions again.
          postgres.restart();
          await(() -> body(ports[1], "/healthz").contains("\"status\":\"ok\""), "health recovers");
          store.apply(document(7), true, false, "it", "after the outage");
          await(() -> client.limitOf("dave") == 7, "revision after the outage enforced");
        }
      }
    }
  }

  private static ConfigDocument document(int limit) throws Exception {
    return ConfigJson.yaml().readValue("""
        rateLimitPolicies:
          - name: per-user
            domain: store-it
            requestDescriptors: [{entries: [{requestHeader: {header: x-user, key: user}}]}]
            descriptors: [{key: user, limit: {requests: %d, window: 1h}}]
        """.formatted(limit), ConfigDocument.class);
  }

  /** A plain RLS client. */
  private static final class Client implements AutoCloseable {
    private final ManagedChannel channel;

    Client(int port) {
      channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).build();
    }

    RateLimitResponse call(String user) {
      return RateLimitServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
          .shouldRateLimit(ClusterIT.request("store-it", "user", user));
    }

    RateLimitResponse.Code code(String user) {
      return call(user).getOverallCode();
    }

    long limitOf(String user) {
      return call(user).getStatuses(0).getCurrentLimit().getRequestsPerUnit();
    }

    @Override
    public void close() {
      channel.shutdownNow();
    }
  }

  private static int status(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static String body(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      return "";
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out waiting until " + what);
  }
}
