package dev.embassy.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.LocalPostgresCluster;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Beyond one replica, by simulation: R control-plane replicas as separate processes
 * ({@code ControlPlaneMain}, as deployed) on one Postgres, and N simulated ADS streams (half
 * delta) spread round-robin over the replicas and over G node groups, at 10,000 routes, 2,000
 * clusters and 20,000 endpoints. Reports, per replica, its streams, CPU (from /proc, for the sync
 * and for the change phase) and heap after a forced GC (jcmd), and for single route changes the
 * time from commit until every stream of the affected group, on every replica, has ACKed it.
 *
 * <p>Usage: {@code ReplicaFleetBenchmark [STREAMS [REPLICAS [GROUPS]]]}, defaults 5000, 3, 10.
 */
public final class ReplicaFleetBenchmark {
  private static final int CHANGES = 10;
  private static final int ENVOY_WINDOW = 256 << 20;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One replica process: its ports and pid. */
  private record Replica(String id, Process process, int xdsPort, int statusPort, Path log) {
    long pid() {
      return process.pid();
    }
  }

  public static void main(String[] args) throws Exception {
    int streams = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int replicaCount = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int groups = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    ScaleConfig scale = new ScaleConfig(10_000, 2_000, 10, groups);
    try (LocalPostgresCluster postgres = LocalPostgresCluster.start()) {
      postgres.createDatabase("bench");
      try (HikariDataSource dataSource = ConfigDatabase.connect(postgres.jdbcUrl("bench"), "postgres", "", 4)) {
        ConfigSchema.migrate(dataSource);
        ConfigStore store = new ConfigStore(dataSource);
        store.apply(ConfigJson.json().readValue(scale.json(0), ConfigDocument.class), true, false, "bench", "seed");
        List<Replica> replicas = new ArrayList<>();
        try {
          for (int r = 0; r < replicaCount; r++) {
            replicas.add(startReplica("replica-" + r, postgres.jdbcUrl("bench")));
          }
          for (Replica replica : replicas) {
            awaitReady(replica);
          }
          run(store, scale, streams, replicas);
        } finally {
          replicas.forEach(r -> r.process().destroy());
          for (Replica r : replicas) {
            r.process().waitFor();
          }
        }
      }
    }
  }

  private static void run(ConfigStore store, ScaleConfig scale, int streams, List<Replica> replicas) throws Exception {
    Map<Replica, long[]> cpuStart = cpu(replicas);
    List<ManagedChannel> channels = new ArrayList<>();
    List<SimulatedProxy> clients = new ArrayList<>();
    Map<SimulatedProxy, Replica> replicaOf = new HashMap<>();
    Map<Replica, ManagedChannel> channel = new HashMap<>();
    Map<Replica, Integer> onChannel = new HashMap<>();
    long connectStart = System.nanoTime();
    for (int i = 0; i < streams; i++) {
      Replica replica = replicas.get(i % replicas.size());
      // A hundred streams per connection, as the single-replica benchmark does.
      if (onChannel.merge(replica, 1, Integer::sum) % 100 == 1) {
        ManagedChannel opened = NettyChannelBuilder.forAddress("127.0.0.1", replica.xdsPort()).usePlaintext()
            .maxInboundMessageSize(256 << 20).flowControlWindow(ENVOY_WINDOW).build();
        channels.add(opened);
        channel.put(replica, opened);
      }
      int group = i % scale.groups();
      SimulatedProxy client = new SimulatedProxy("sim-" + i, ScaleConfig.group(group, scale.groups()), scale.routeConfiguration(group), i % 2 == 1);
      client.connect(channel.get(replica));
      clients.add(client);
      replicaOf.put(client, replica);
    }
    waitFor(() -> clients.stream().allMatch(c -> !c.routesVersion().isEmpty()), Duration.ofMinutes(10));
    // Replicas agree: every stream of a group holds the same route version, whichever replica serves it.
    waitFor(() -> agreed(clients), Duration.ofMinutes(2));
    double syncSeconds = (System.nanoTime() - connectStart) / 1e9;
    Map<Replica, long[]> cpuSynced = cpu(replicas);
    System.out.printf("%d streams over %d replicas and %d node groups synced in %.1f s; every group's streams agree on one version%n",
        streams, replicas.size(), scale.groups(), syncSeconds);

    double[] acked = new double[CHANGES];
    for (int change = 0; change < CHANGES; change++) {
      String group = scale.groupOfRoute(change);
      List<SimulatedProxy> affected = clients.stream().filter(c -> c.group().equals(group)).toList();
      String before = affected.getFirst().routesVersion();
      Route route = (Route) store.get(ResourceKind.ROUTE, "route-" + change).orElseThrow().resource();
      Route changed = new Route(route.name(), route.labels(), route.gateway(), route.listener(), route.hostnames(),
          List.of(new Route.Rule(route.rules().getFirst().matches(), null, route.rules().getFirst().backendRefs(),
              Optional.of(new Route.Timeouts(Optional.of((30 + change) + "s"), Optional.empty())), null)),
          route.authPolicy(), route.rateLimitPolicy());
      store.replace(changed, OptionalLong.empty(), "bench", "route change");
      long start = System.nanoTime();
      waitFor(() -> affected.stream().allMatch(c -> !c.routesVersion().equals(before)), Duration.ofMinutes(2));
      waitFor(() -> affected.stream().map(SimulatedProxy::routesVersion).distinct().count() == 1, Duration.ofSeconds(30));
      acked[change] = (System.nanoTime() - start) / 1e6;
      System.out.printf("  change %d: commit → all %d streams of %s (on %d replicas) ACKed %.0f ms%n", change + 1, affected.size(), group,
          affected.stream().map(replicaOf::get).distinct().count(), acked[change]);
    }
    Map<Replica, long[]> cpuChanged = cpu(replicas);
    Stats stats = Stats.of(acked);
    System.out.printf("single route change, %d streams on %d replicas: commit → all affected ACKed p50 %.0f ms, p99 (max of %d) %.0f ms%n",
        streams, replicas.size(), stats.p50(), CHANGES, stats.p99());
    for (Replica replica : replicas) {
      long streamsOn = replicaOf.values().stream().filter(replica::equals).count();
      System.out.printf("  %s: %d streams; CPU %.1f s to start and sync, %.2f s during the %d changes; heap after GC %d MiB%n",
          replica.id(), streamsOn, seconds(cpuSynced.get(replica)[0] - cpuStart.get(replica)[0]),
          seconds(cpuChanged.get(replica)[0] - cpuSynced.get(replica)[0]), CHANGES, heapAfterGc(replica) >> 20);
    }
    clients.forEach(SimulatedProxy::close);
    channels.forEach(ManagedChannel::shutdownNow);
  }

  private static boolean agreed(List<SimulatedProxy> clients) {
    Map<String, String> byGroup = new HashMap<>();
    for (SimulatedProxy client : clients) {
      String version = byGroup.putIfAbsent(client.group(), client.routesVersion());
      if (version != null && !version.equals(client.routesVersion())) {
        return false;
      }
    }
    return true;
  }

  private static Replica startReplica(String id, String jdbcUrl) throws IOException {
    int xds = FreePorts.one();
    int status = FreePorts.one();
    Path log = Files.createTempFile("embassy-bench-" + id, ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx1g", "-XX:+UseG1GC", "-cp", System.getProperty("java.class.path"),
        "dev.embassy.controlplane.ControlPlaneMain");
    builder.environment().putAll(Map.of(
        "EMBASSY_DATABASE_URL", jdbcUrl, "EMBASSY_DATABASE_USER", "postgres", "EMBASSY_DATABASE_PASSWORD", "",
        "EMBASSY_XDS_PORT", Integer.toString(xds), "EMBASSY_STATUS_PORT", Integer.toString(status),
        "EMBASSY_XDS_BIND", "127.0.0.1", "EMBASSY_STATUS_BIND", "127.0.0.1", "EMBASSY_REPLICA_ID", id));
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    return new Replica(id, builder.start(), xds, status, log);
  }

  private static void awaitReady(Replica replica) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      if (!replica.process().isAlive()) {
        throw new IllegalStateException(replica.id() + " exited; log: " + replica.log());
      }
      try {
        if (HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.statusPort() + "/readyz")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(replica.id() + " never became ready; log: " + replica.log());
  }

  /** Per replica: utime + stime in nanoseconds, from /proc/PID/stat. */
  private static Map<Replica, long[]> cpu(List<Replica> replicas) throws IOException {
    Map<Replica, long[]> cpu = new HashMap<>();
    for (Replica replica : replicas) {
      String text = Files.readString(Path.of("/proc", Long.toString(replica.pid()), "stat"));
      String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      cpu.put(replica, new long[] {ticks * 10_000_000L});
    }
    return cpu;
  }

  /** Heap in use after a full GC of the replica, through jcmd. */
  private static long heapAfterGc(Replica replica) throws Exception {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    new ProcessBuilder(jcmd, Long.toString(replica.pid()), "GC.run").redirectErrorStream(true).start().waitFor();
    Process info = new ProcessBuilder(jcmd, Long.toString(replica.pid()), "GC.heap_info").redirectErrorStream(true).start();
    String out = new String(info.getInputStream().readAllBytes());
    info.waitFor();
    Matcher used = Pattern.compile("used (\\d+)K").matcher(out);
    if (!used.find()) {
      throw new IllegalStateException("no heap figure from jcmd: " + out);
    }
    return Long.parseLong(used.group(1)) * 1024;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
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
