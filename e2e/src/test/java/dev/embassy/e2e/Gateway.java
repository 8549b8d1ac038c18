package dev.embassy.e2e;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.auth.AuthService;
import dev.embassy.auth.AuthServiceConfig;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.controlplane.ControlPlane;
import dev.embassy.controlplane.ControlPlaneConfig;
import dev.embassy.ratelimit.RateLimitNode;
import dev.embassy.ratelimit.RateLimitServiceConfig;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.RepoPaths;
import dev.embassy.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Embassy as an operator runs it, in one test: the config store on a real Postgres, a control
 * plane, auth-service, a ratelimit-service node, and a real edge Envoy on the config the control
 * plane generates, listening on a free port. Closed in reverse order of starting.
 */
final class Gateway implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final List<AutoCloseable> started = new ArrayList<>();
  private final ConfigStore store;
  private final int listenerPort = FreePorts.one();
  private final AuthServiceConfig authConfig;
  private final RateLimitServiceConfig rateLimitConfig;
  // Not final: an outage test stops and restarts them on the same ports (the Envoy cluster names
  // those ports).
  private AuthService auth;
  private RateLimitNode rateLimit;
  private final ControlPlane controlPlane;
  private final EnvoyProcess envoy;

  private Gateway(TestDatabase database, Map<String, String> controlPlaneEnv, Map<String, String> authServiceEnv,
      Map<String, String> rateLimitServiceEnv) {
    HikariDataSource dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4);
    started.add(dataSource);
    ConfigSchema.migrate(dataSource);
    store = new ConfigStore(dataSource);
    Map<String, String> authEnv = new HashMap<>(Map.of(
        "EMBASSY_AUTH_PORT", Integer.toString(FreePorts.one()),
        "EMBASSY_AUTH_STATUS_PORT", Integer.toString(FreePorts.one()),
        "EMBASSY_DATABASE_URL", database.jdbcUrl(), "EMBASSY_DATABASE_USER", database.user(),
        "EMBASSY_DATABASE_PASSWORD", database.password()));
    authEnv.putAll(authServiceEnv);
    authConfig = AuthServiceConfig.fromEnvironment(authEnv);
    auth = AuthService.start(authConfig, Clock.systemUTC());
    started.add(auth);
    int rateLimitPort = FreePorts.one();
    Map<String, String> rateLimitEnv = new HashMap<>(Map.of(
        "EMBASSY_RATELIMIT_PORT", Integer.toString(rateLimitPort),
        "EMBASSY_RATELIMIT_STATUS_PORT", Integer.toString(FreePorts.one()),
        "EMBASSY_RATELIMIT_NODE_ID", "e2e-ratelimit",
        "EMBASSY_DATABASE_URL", database.jdbcUrl(), "EMBASSY_DATABASE_USER", database.user(),
        "EMBASSY_DATABASE_PASSWORD", database.password()));
    rateLimitEnv.putAll(rateLimitServiceEnv);
    rateLimitConfig = RateLimitServiceConfig.fromEnvironment(rateLimitEnv);
    rateLimit = RateLimitNode.start(rateLimitConfig);
    started.add(rateLimit);
    Map<String, String> env = new HashMap<>(Map.of(
        "EMBASSY_XDS_PORT", "0", "EMBASSY_STATUS_PORT", "0", "EMBASSY_LISTENER_ADDRESS", "127.0.0.1", "EMBASSY_REPLICA_ID", "e2e",
        "EMBASSY_AUTH_SERVICE", "127.0.0.1:" + auth.grpcPort(),
        "EMBASSY_RATELIMIT_SERVICE", "127.0.0.1:" + rateLimitPort));
    env.putAll(controlPlaneEnv);
    controlPlane = ControlPlane.start(ControlPlaneConfig.fromEnvironment(env), dataSource, "e2e");
    started.add(controlPlane);
    envoy = EnvoyProcess.start(RepoPaths.envoyBootstrap("edge.yaml"), Map.of(
        "ENVOY_NODE_ID", "e2e-edge", "ENVOY_NODE_GROUP", "edge", "ENVOY_XDS_API_TYPE", "DELTA_GRPC",
        "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(controlPlane.xdsPort())));
    started.add(envoy);
  }

  /** @param controlPlaneEnv extra control-plane settings */
  static Gateway start(TestDatabase database, Map<String, String> controlPlaneEnv) {
    return new Gateway(database, controlPlaneEnv, Map.of(), Map.of());
  }

  /**
   * @param controlPlaneEnv extra control-plane settings
   * @param authServiceEnv extra auth-service settings (e.g. a short JWKS refresh, so a test sees a
   *     key removal within seconds instead of the 30 s minimum)
   */
  static Gateway start(TestDatabase database, Map<String, String> controlPlaneEnv, Map<String, String> authServiceEnv) {
    return new Gateway(database, controlPlaneEnv, authServiceEnv, Map.of());
  }

  /** @param rateLimitServiceEnv extra ratelimit-service settings (e.g. its OTEL_* tracing variables) */
  static Gateway start(TestDatabase database, Map<String, String> controlPlaneEnv, Map<String, String> authServiceEnv,
      Map<String, String> rateLimitServiceEnv) {
    return new Gateway(database, controlPlaneEnv, authServiceEnv, rateLimitServiceEnv);
  }

  int listenerPort() {
    return listenerPort;
  }

  ConfigStore store() {
    return store;
  }

  ControlPlane controlPlane() {
    return controlPlane;
  }

  EnvoyProcess envoy() {
    return envoy;
  }

  AuthService auth() {
    return auth;
  }

  RateLimitNode rateLimit() {
    return rateLimit;
  }

  /** Stops auth-service, as a crash would; {@link #restartAuth()} brings it back on the same ports. */
  void stopAuth() {
    auth.close();
  }

  void restartAuth() {
    auth = replace(auth, AuthService.start(authConfig, Clock.systemUTC()));
  }

  /** Stops the ratelimit-service node; {@link #restartRateLimit()} brings it back on the same ports. */
  void stopRateLimit() {
    rateLimit.close();
  }

  void restartRateLimit() {
    rateLimit = replace(rateLimit, RateLimitNode.start(rateLimitConfig));
  }

  private <T extends AutoCloseable> T replace(AutoCloseable stopped, T restarted) {
    started.set(started.indexOf(stopped), restarted);
    return restarted;
  }

  /**
   * Applies {@code yaml} (with {@code ${LISTENER_PORT}} filled in) and waits until Envoy serves it:
   * the revision has been ACKed by the Envoy, and auth-service and ratelimit-service run it.
   */
  void apply(String yaml) throws Exception {
    ConfigDocument document = ConfigJson.yaml().readValue(yaml.replace("${LISTENER_PORT}", Integer.toString(listenerPort)), ConfigDocument.class);
    awaitServed(store.apply(document, true, false, "e2e", "e2e").revision().orElseThrow().id());
  }

  /**
   * Waits until {@code revision} (written by any client: the store here, or the admin API) is
   * served: ACKed by the Envoy, and run by auth-service and ratelimit-service.
   */
  void awaitServed(long revision) throws InterruptedException {
    await(() -> controlPlane.proxies().proxies().stream().anyMatch(p -> p.appliedRevision() >= revision), Duration.ofSeconds(20),
        "Envoy runs revision " + revision);
    await(() -> auth.health().report().policyRevision() >= revision && auth.health().report().ready(), Duration.ofSeconds(20),
        "auth-service runs revision " + revision);
    await(() -> rateLimit.health().revision() >= revision && rateLimit.health().ready(), Duration.ofSeconds(20),
        "ratelimit-service runs revision " + revision);
  }

  HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listenerPort + path)).timeout(Duration.ofSeconds(5));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listenerPort + path)).timeout(Duration.ofSeconds(5))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(10);
    }
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
