package dev.embassy.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.controlplane.ControlPlane;
import dev.embassy.controlplane.ControlPlaneConfig;
import dev.embassy.controlplane.cache.XdsType;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.testsupport.LocalPostgresCluster;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The control plane at the scale: 10,000 routes, 2,000 clusters, 4,000 endpoints, and N
 * simulated ADS clients (half state of the world, half delta) in one process with the control
 * plane. Measures, for single route changes committed to Postgres, the time until every client
 * has received (and ACKed) the new RouteConfiguration, and the heap the streams cost.
 */
public final class ControlPlaneBenchmark {
  private static final int CHANGES = 10;

  public static void main(String[] args) throws Exception {
    int proxies = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    try (LocalPostgresCluster postgres = LocalPostgresCluster.start()) {
      try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl("postgres"), "postgres", "");
          Statement statement = admin.createStatement()) {
        statement.execute("CREATE DATABASE bench");
      }
      try (HikariDataSource dataSource = ConfigDatabase.connect(postgres.jdbcUrl("bench"), "postgres", "", 8)) {
        ConfigSchema.migrate(dataSource);
        ConfigStore store = new ConfigStore(dataSource);
        store.apply(ConfigJson.json().readValue(ScaleConfig.document(10_000, 2_000, 0), ConfigDocument.class), true, false, "bench", "seed");
        run(dataSource, store, proxies);
      }
    }
  }

  private static void run(HikariDataSource dataSource, ConfigStore store, int proxies) throws Exception {
    ControlPlaneConfig config = ControlPlaneConfig.fromEnvironment(java.util.Map.of("EMBASSY_XDS_PORT", "0", "EMBASSY_STATUS_PORT", "0"));
    try (ControlPlane controlPlane = ControlPlane.start(config, dataSource, EndpointSource.NONE, "bench")) {
      waitFor(() -> controlPlane.servedRevision() > 0, Duration.ofSeconds(60));
      long heapBefore = usedHeapAfterGc();

      List<ManagedChannel> channels = new ArrayList<>();
      List<SimulatedProxy> clients = new ArrayList<>();
      long connectStart = System.nanoTime();
      for (int i = 0; i < proxies; i++) {
        if (i % 100 == 0) {
          channels.add(NettyChannelBuilder.forAddress("127.0.0.1", controlPlane.xdsPort()).usePlaintext().maxInboundMessageSize(256 << 20).build());
        }
        SimulatedProxy client = new SimulatedProxy("sim-" + i, i % 2 == 1);
        client.connect(channels.getLast());
        clients.add(client);
      }
      String initial = routesVersion(controlPlane);
      waitFor(() -> clients.stream().allMatch(c -> c.routesVersion().equals(initial)), Duration.ofMinutes(5));
      double syncSeconds = (System.nanoTime() - connectStart) / 1e9;
      long heapAfter = usedHeapAfterGc();
      System.out.printf("%d streams (%d delta) synced in %.1f s; heap after GC: %d MiB before streams, %d MiB with them (%.1f KiB per stream)%n",
          proxies, proxies / 2, syncSeconds, heapBefore >> 20, heapAfter >> 20, (heapAfter - heapBefore) / 1024.0 / proxies);

      double[] latencies = new double[CHANGES];
      for (int change = 0; change < CHANGES; change++) {
        String before = routesVersion(controlPlane);
        Route route = (Route) store.get(ResourceKind.ROUTE, "route-" + change).orElseThrow().resource();
        Route changed = new Route(route.name(), route.labels(), route.gateway(), route.listener(), route.hostnames(),
            List.of(new Route.Rule(route.rules().getFirst().matches(), null, route.rules().getFirst().backendRefs(),
                java.util.Optional.of(new Route.Timeouts(java.util.Optional.of((20 + change) + "s"), java.util.Optional.empty())), null)),
            route.authPolicy(), route.rateLimitPolicy());
        long start = System.nanoTime();
        store.replace(changed, OptionalLong.empty(), "bench", "change " + change);
        waitFor(() -> !routesVersion(controlPlane).equals(before), Duration.ofSeconds(30));
        String target = routesVersion(controlPlane);
        waitFor(() -> clients.stream().allMatch(c -> c.routesVersion().equals(target)), Duration.ofMinutes(2));
        latencies[change] = (System.nanoTime() - start) / 1e6;
        System.out.printf("change %d: commit to all %d streams holding it: %.0f ms%n", change + 1, proxies, latencies[change]);
      }
      Stats stats = Stats.of(latencies);
      System.out.printf("%nsingle route change, commit → all %d streams received and ACKed: p50 %.0f ms, p99 (max of %d) %.0f ms (targets p50 ≤ 50 ms, p99 ≤ 250 ms)%n",
          proxies, stats.p50(), CHANGES, stats.p99());
      clients.forEach(SimulatedProxy::close);
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }

  private static String routesVersion(ControlPlane controlPlane) {
    return controlPlane.cache().target("edge").orElseThrow().version(XdsType.ROUTE);
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout);
      }
      Thread.sleep(2);
    }
  }
}
