package dev.embassy.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.Cluster;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * The control plane at the scale: 10,000 routes, 2,000 clusters, 20,000 endpoints, and N
 * simulated ADS clients (half state of the world, half delta) in one process with the control
 * plane, spread over G node groups (G = 1: every client receives every route, the worst case).
 *
 * <p>For single route changes and single endpoint changes committed to Postgres it measures: the
 * time from commit until the cache publishes the change (pipeline), and until every client of the
 * affected group has received and ACKed it (end to end); and checks that nothing else was sent: an
 * endpoint change sends EDS alone, and groups the change does not touch receive nothing. Heap is
 * measured after GC, before and after the clients connect (clients included).
 *
 * <p>Usage: {@code ControlPlaneBenchmark [STREAMS [GROUPS]]}, defaults 1000 and 1.
 */
public final class ControlPlaneBenchmark {
  private static final int CHANGES = 10;
  /**
   * Envoy's default HTTP/2 windows (initial_stream_window_size and initial_connection_window_size,
   * 256 MiB): what a real Envoy advertises to its xDS server. gRPC's 1 MiB default would make a
   * hundred streams on one connection take turns for a large RouteConfiguration.
   */
  private static final int ENVOY_WINDOW = 256 << 20;

  public static void main(String[] args) throws Exception {
    int proxies = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int groups = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    ScaleConfig scale = new ScaleConfig(10_000, 2_000, 10, groups);
    try (LocalPostgresCluster postgres = LocalPostgresCluster.start()) {
      postgres.createDatabase("bench");
      try (HikariDataSource dataSource = ConfigDatabase.connect(postgres.jdbcUrl("bench"), "postgres", "", 8)) {
        ConfigSchema.migrate(dataSource);
        ConfigStore store = new ConfigStore(dataSource);
        store.apply(ConfigJson.json().readValue(scale.json(0), ConfigDocument.class), true, false, "bench", "seed");
        fullTranslation(store.snapshot().document());
        run(dataSource, store, scale, proxies);
      }
    }
  }

  private static void run(HikariDataSource dataSource, ConfigStore store, ScaleConfig scale, int proxies) throws Exception {
    ControlPlaneConfig config = ControlPlaneConfig.fromEnvironment(Map.of("EMBASSY_XDS_PORT", "0", "EMBASSY_STATUS_PORT", "0"));
    try (ControlPlane controlPlane = ControlPlane.start(config, dataSource, "bench")) {
      waitFor(() -> controlPlane.servedRevision() > 0, Duration.ofSeconds(60));
      long heapBefore = JvmHeap.usedAfterGc();

      List<ManagedChannel> channels = new ArrayList<>();
      List<SimulatedProxy> clients = new ArrayList<>();
      long connectStart = System.nanoTime();
      for (int i = 0; i < proxies; i++) {
        if (i % 100 == 0) {
          channels.add(NettyChannelBuilder.forAddress("127.0.0.1", controlPlane.xdsPort()).usePlaintext()
              .maxInboundMessageSize(256 << 20).flowControlWindow(ENVOY_WINDOW).build());
        }
        int group = i % scale.groups();
        SimulatedProxy client = new SimulatedProxy("sim-" + i, ScaleConfig.group(group, scale.groups()), scale.routeConfiguration(group), i % 2 == 1);
        client.connect(channels.getLast());
        clients.add(client);
      }
      waitFor(() -> clients.stream().allMatch(c -> c.routesVersion().equals(version(controlPlane, c.group(), XdsType.ROUTE))), Duration.ofMinutes(5));
      double syncSeconds = (System.nanoTime() - connectStart) / 1e9;
      long heapAfter = JvmHeap.usedAfterGc();
      System.out.printf("%d streams (%d delta) over %d node group(s) synced in %.1f s; heap after GC: %d MiB before streams, %d MiB with them (%.1f KiB per stream)%n",
          proxies, proxies / 2, scale.groups(), syncSeconds, heapBefore >> 20, heapAfter >> 20, (heapAfter - heapBefore) / 1024.0 / proxies);

      System.out.println("measuring from " + java.time.Instant.now());
      Timings routes = new Timings(CHANGES);
      for (int change = 0; change < CHANGES; change++) {
        String group = scale.groupOfRoute(change);
        Route route = (Route) store.get(ResourceKind.ROUTE, "route-" + change).orElseThrow().resource();
        Route changed = new Route(route.name(), route.labels(), route.gateway(), route.listener(), route.hostnames(),
            List.of(new Route.Rule(route.rules().getFirst().matches(), null, route.rules().getFirst().backendRefs(),
                Optional.of(new Route.Timeouts(Optional.of((20 + change) + "s"), Optional.empty())), null)),
            route.authPolicy(), route.rateLimitPolicy());
        measure(controlPlane, clients, group, XdsType.ROUTE, SimulatedProxy::routesVersion, routes, change,
            () -> store.replace(changed, OptionalLong.empty(), "bench", "route change"));
      }
      routes.print("single route change", proxies, scale);

      Timings endpoints = new Timings(CHANGES);
      for (int change = 0; change < CHANGES; change++) {
        Cluster cluster = (Cluster) store.get(ResourceKind.CLUSTER, "svc-" + change).orElseThrow().resource();
        List<Cluster.Endpoint> moved = new ArrayList<>(cluster.discovery().staticEndpoints().orElseThrow().endpoints());
        moved.set(0, new Cluster.Endpoint(moved.getFirst().address(), 9000 + change, 1));
        Cluster changed = new Cluster(cluster.name(), cluster.labels(), new Cluster.Discovery(Optional.empty(),
            Optional.of(new Cluster.StaticEndpoints(moved))), cluster.lbPolicy(), cluster.connectTimeout(), cluster.http2(),
            cluster.tls(), cluster.healthCheck(), cluster.circuitBreaker(), cluster.outlierDetection());
        // Cluster svc-k serves routes k, k + 2000, ...: all in group k mod G when G divides 2000.
        measure(controlPlane, clients, ScaleConfig.group(change % scale.groups(), scale.groups()), XdsType.ENDPOINT, SimulatedProxy::endpointsVersion, endpoints, change,
            () -> store.replace(changed, OptionalLong.empty(), "bench", "endpoint change"));
      }
      endpoints.print("single endpoint change", proxies, scale);
      clients.forEach(SimulatedProxy::close);
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }

  /**
   * The whole config translated from scratch, as a replica does at start or when every group
   * changes: IR build, translation, consistency check, per-resource versions. No memo, no earlier
   * snapshot to reuse. The first run is JIT warm-up, listed but not in the median.
   */
  private static void fullTranslation(ConfigDocument config) {
    int runs = 6;
    double[] millis = new double[runs];
    for (int run = 0; run < runs; run++) {
      long start = System.nanoTime();
      int resources = 0;
      for (var group : dev.embassy.controlplane.ir.NodeGroupBuilder.build(config,
          dev.embassy.controlplane.ir.TranslationSettings.defaults("0.0.0.0"), dev.embassy.controlplane.ir.EndpointSource.NONE)) {
        var translated = dev.embassy.controlplane.translate.XdsTranslator.translate(group);
        if (!dev.embassy.controlplane.xds.SnapshotConsistency.problems(translated).isEmpty()) {
          throw new IllegalStateException("inconsistent translation");
        }
        var snapshot = dev.embassy.controlplane.cache.GroupSnapshot.of(translated, 1, null);
        for (XdsType type : XdsType.values()) {
          resources += snapshot.resources(type).size();
        }
      }
      millis[run] = (System.nanoTime() - start) / 1e6;
      System.out.printf("  full translation %d: %.0f ms (%d resources)%n", run + 1, millis[run], resources);
    }
    Stats warm = Stats.of(java.util.Arrays.copyOfRange(millis, 1, runs));
    System.out.printf("full translation (build, translate, check, version) of the whole config: median of %d warm runs %.0f ms, first (cold) %.0f ms%n",
        runs - 1, warm.p50(), millis[0]);
  }

  /**
   * Commits one change and times it to the cache and to every client of {@code group} (all clients
   * when null); counts what every client was sent meanwhile that it should not have been.
   */
  private static void measure(ControlPlane controlPlane, List<SimulatedProxy> clients, String group, XdsType type,
      Function<SimulatedProxy, String> held, Timings timings, int index, Runnable commit) throws InterruptedException {
    String probeGroup = group != null ? group : clients.getFirst().group();
    String before = version(controlPlane, probeGroup, type);
    Map<SimulatedProxy, long[]> sentBefore = new java.util.IdentityHashMap<>();
    clients.forEach(c -> sentBefore.put(c, counts(c)));
    // The clock starts when the write has committed: the write itself is the admin API's cost,
    // measured by its own benchmark.
    commit.run();
    long start = System.nanoTime();
    waitFor(() -> !version(controlPlane, probeGroup, type).equals(before), Duration.ofSeconds(30));
    long published = System.nanoTime();
    List<SimulatedProxy> affected = clients.stream().filter(c -> group == null || c.group().equals(group)).toList();
    waitFor(() -> affected.stream().allMatch(c -> held.apply(c).equals(version(controlPlane, c.group(), type))), Duration.ofMinutes(2));
    long done = System.nanoTime();
    Thread.sleep(50);
    long unexpected = 0;
    for (SimulatedProxy client : clients) {
      long[] now = counts(client);
      long[] was = sentBefore.get(client);
      for (XdsType other : XdsType.values()) {
        boolean expected = other == type && affected.contains(client);
        long extra = now[other.ordinal()] - was[other.ordinal()];
        if (!expected && extra > 0) {
          unexpected += extra;
        }
      }
    }
    timings.record(index, (published - start) / 1e6, (done - start) / 1e6, affected.size(), unexpected);
  }

  private static long[] counts(SimulatedProxy client) {
    long[] counts = new long[XdsType.values().length];
    for (XdsType type : XdsType.values()) {
      counts[type.ordinal()] = client.responses(type.typeUrl());
    }
    return counts;
  }

  private static String version(ControlPlane controlPlane, String group, XdsType type) {
    return controlPlane.cache().target(group).orElseThrow().version(type);
  }

  /** Per change: commit → published and commit → all affected clients ACKed. */
  private static final class Timings {
    private final double[] published;
    private final double[] acked;
    private int affected;
    private long unexpected;

    Timings(int changes) {
      published = new double[changes];
      acked = new double[changes];
    }

    void record(int index, double publishedMs, double ackedMs, int affectedClients, long unexpectedResponses) {
      published[index] = publishedMs;
      acked[index] = ackedMs;
      affected = affectedClients;
      unexpected += unexpectedResponses;
      System.out.printf("  change %d: commit → published %.0f ms, → all %d affected streams ACKed %.0f ms%n",
          index + 1, publishedMs, affectedClients, ackedMs);
    }

    void print(String what, int proxies, ScaleConfig scale) {
      Stats pipeline = Stats.of(published);
      Stats total = Stats.of(acked);
      System.out.printf("%s (%d streams, %d group(s), %d affected per change): commit → published p50 %.0f ms, max %.0f ms; "
              + "commit → all affected ACKed p50 %.0f ms, p99 (max of %d) %.0f ms; responses of other types or to unaffected streams: %d%n",
          what, proxies, scale.groups(), affected, pipeline.p50(), pipeline.p99(), total.p50(), acked.length, total.p99(), unexpected);
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout);
      }
      Thread.sleep(1);
    }
  }
}
