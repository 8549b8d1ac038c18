package dev.embassy.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.admin.auth.AdminTokens;
import dev.embassy.admin.http.AdminHttpServer;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.controlplane.ControlPlane;
import dev.embassy.controlplane.ControlPlaneConfig;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.LocalPostgresCluster;
import dev.embassy.testsupport.RepoPaths;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Write → routable, as gateway-api-bench times it: N routes created one at a time through the
 * admin API (a real HTTP server, real Postgres), each timed from the moment its POST is sent until
 * a real Envoy, on config from a real control plane, first answers 200 on its path (polled every
 * 0.5 ms; 404 before that is expected, anything else is a failure). Meanwhile a steady client
 * requests a route that never changes, and every answer that is not 200 counts as a failed request:
 * in a closed loop, or at {@code -Dbench.steady.rate} requests per second.
 *
 * <p>Usage: {@code RoutableBenchmark [ROUTES [API_TYPE]]}, defaults 300 and DELTA_GRPC.
 */
public final class RoutableBenchmark {
  private static final String TOKEN = "bench-admin-token-0123456789abcdef";
  /** {@code -Dbench.trace=true}: one line per route with wall-clock times, to line up with the control plane's log. */
  private static final boolean TRACE = Boolean.getBoolean("bench.trace");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public static void main(String[] args) throws Exception {
    int routes = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    String apiType = args.length > 1 ? args[1] : "DELTA_GRPC";
    int listenerPort = FreePorts.one();
    try (LocalPostgresCluster postgres = LocalPostgresCluster.start(); DemoBackend backend = DemoBackend.start("app")) {
      postgres.createDatabase("bench");
      try (HikariDataSource dataSource = ConfigDatabase.connect(postgres.jdbcUrl("bench"), "postgres", "", 16)) {
        ConfigSchema.migrate(dataSource);
        new AdminTokens(dataSource).installBootstrap(TOKEN, "bench");
        try (AdminHttpServer api = AdminHttpServer.start("127.0.0.1", 0, dataSource);
            LeanHttpClient client = new LeanHttpClient("127.0.0.1", api.port(), TOKEN)) {
          String seed = "{\"clusters\":[{\"name\":\"app\",\"discovery\":{\"static\":{\"endpoints\":[{\"address\":\"127.0.0.1\",\"port\":"
              + backend.port() + "}]}}}],\"gateways\":[{\"name\":\"edge\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"http\",\"port\":"
              + listenerPort + "}]}],\"routes\":[" + route("steady") + "]}";
          require(client.post("/api/v1/config:apply", seed).status(), "seed");
          try (ControlPlane controlPlane = ControlPlane.start(ControlPlaneConfig.fromEnvironment(Map.of(
                  "EMBASSY_XDS_PORT", "0", "EMBASSY_STATUS_PORT", "0", "EMBASSY_LISTENER_ADDRESS", "127.0.0.1", "EMBASSY_DEBOUNCE", System.getProperty("bench.debounce", "10ms"))), dataSource, "bench");
              EnvoyProcess envoy = EnvoyProcess.start(RepoPaths.envoyBootstrap("edge.yaml"), Map.of(
                  "ENVOY_NODE_ID", "bench-edge", "ENVOY_NODE_GROUP", "edge", "ENVOY_XDS_API_TYPE", apiType,
                  "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(controlPlane.xdsPort())))) {
            envoy.awaitReady(Duration.ofSeconds(30));
            Probe poll = Probe.open(listenerPort);
            waitFor(() -> poll.status("/steady/x") == 200, Duration.ofSeconds(30));
            // Warm the path (JIT, connections) on routes that are not measured.
            for (int i = 0; i < 30; i++) {
              routable(client, poll, "warm-" + i);
            }
            run(client, poll, listenerPort, routes, apiType);
          }
        }
      }
    }
  }

  private static void run(LeanHttpClient client, Probe poll, int listenerPort, int routes, String apiType) throws Exception {
    AtomicLong steady = new AtomicLong();
    AtomicLong steadyFailed = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    Probe steadyClient = Probe.open(listenerPort);
    // 0 = closed loop: as fast as one client goes, which on 2 cores (client, Envoy and the demo
    // backend) takes most of a core from what is measured.
    int rate = Integer.getInteger("bench.steady.rate", 0);
    long interval = rate == 0 ? 0 : 1_000_000_000L / rate;
    Thread load = Thread.ofPlatform().name("steady").start(() -> {
      long next = System.nanoTime();
      while (running.get()) {
        (steadyClient.status("/steady/x") == 200 ? steady : steadyFailed).incrementAndGet();
        if (interval > 0) {
          next += interval;
          java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
        }
      }
    });
    double[] millis = new double[routes];
    double[] writes = new double[routes];
    double[] propagation = new double[routes];
    long unexpected = 0;
    long started = System.nanoTime();
    for (int i = 0; i < routes; i++) {
      Result result = routable(client, poll, "route-" + i);
      millis[i] = result.millis();
      writes[i] = result.writeMillis();
      propagation[i] = result.millis() - result.writeMillis();
      unexpected += result.unexpected();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    running.set(false);
    load.join(5_000);
    double[] sorted = millis.clone();
    Arrays.sort(sorted);
    Stats stats = Stats.of(millis);
    System.out.printf("write → routable, %d routes one at a time (%s, client %s), %.1f s: p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
            + "answers other than 404 before 200 on the new paths: %d; steady requests %d (%s), failed %d%n",
        routes, apiType, System.getProperty("bench.client", "lean"), seconds, stats.p50(), stats.p99(), sorted[sorted.length - 1], unexpected, steady.get(),
        rate == 0 ? "closed loop" : rate + "/s", steadyFailed.get());
    Stats write = Stats.of(writes);
    Stats after = Stats.of(propagation);
    System.out.printf("  of which the POST (sent → answered): p50 %.1f ms, p99 %.1f ms; answered → routable: p50 %.1f ms, p99 %.1f ms%n",
        write.p50(), write.p99(), after.p50(), after.p99());
  }

  /** {@code millis} from POST sent to the first 200; {@code writeMillis} from POST sent to its answer. */
  private record Result(double millis, double writeMillis, long unexpected) {}

  /** Creates route {@code name} on /{name} and waits until Envoy routes it. */
  private static Result routable(LeanHttpClient client, Probe poll, String name) throws Exception {
    long start = System.nanoTime();
    require(client.post("/api/v1/routes", route(name)).status(), name);
    double writeMillis = (System.nanoTime() - start) / 1e6;
    if (TRACE) {
      System.err.printf("%s %s posted %.2f ms%n", java.time.LocalTime.now(), name, writeMillis);
    }
    long unexpected = 0;
    long deadline = start + Duration.ofSeconds(30).toNanos();
    while (true) {
      int code = poll.status("/" + name + "/x");
      if (code == 200) {
        double millis = (System.nanoTime() - start) / 1e6;
        if (TRACE) {
          System.err.printf("%s %s routable %.2f ms%n", java.time.LocalTime.now(), name, millis);
        }
        return new Result(millis, writeMillis, unexpected);
      }
      if (code != 404) {
        unexpected++;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " never became routable");
      }
      Thread.sleep(0, 500_000);
    }
  }

  private static String route(String name) {
    return "{\"name\":\"" + name + "\",\"gateway\":\"edge\",\"rules\":[{\"matches\":[{\"path\":{\"type\":\"PathPrefix\",\"value\":\"/" + name
        + "\"}}],\"backendRefs\":[{\"cluster\":\"app\"}]}]}";
  }

  /**
   * Requests through Envoy, by the client {@code -Dbench.client} names: {@code lean} (default), a
   * keep-alive socket costing microseconds per request, or {@code jdk}, java.net.http, which the
   * first figures used and which costs about half a millisecond of CPU per request: at a poll every
   * 0.5 ms that took most of a core from Envoy and the control plane being measured.
   */
  private interface Probe {
    /** The status Envoy answers for {@code path}; -1 when the request failed. */
    int status(String path);

    static Probe open(int port) {
      if ("jdk".equals(System.getProperty("bench.client", "lean"))) {
        return path -> {
          try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
          } catch (Exception e) {
            return -1;
          }
        };
      }
      LeanHttpClient client = new LeanHttpClient("127.0.0.1", port);
      return path -> {
        try {
          return client.get(path).status();
        } catch (java.io.IOException e) {
          return -1;
        }
      };
    }
  }

  private static void require(int status, String what) {
    if (status / 100 != 2) {
      throw new IllegalStateException(what + ": HTTP " + status);
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout);
      }
      Thread.sleep(5);
    }
  }
}
