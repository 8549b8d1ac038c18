package dev.embassy.bench;

import com.sun.management.OperatingSystemMXBean;
import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.controlplane.ControlPlane;
import dev.embassy.controlplane.ControlPlaneConfig;
import dev.embassy.controlplane.cache.XdsResource;
import dev.embassy.controlplane.cache.XdsType;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.LocalPostgresCluster;
import dev.embassy.testsupport.RepoPaths;
import dev.embassy.testsupport.ConsulAgent;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * Issue 5 end to end: SERVICES Consul services x 10 instances (a real {@code consul agent -dev}),
 * a real Postgres holding one Consul-discovered cluster and one route per service, one control
 * plane started in-process with {@link ControlPlane#start} watching all of them, and the proxies of
 * its node group: two real Envoys from {@code envoy/bootstrap/edge.yaml} (one delta ADS, one state
 * of the world) and SIMULATED {@link SimulatedProxy} clients (half delta).
 *
 * <p>Measures the initial sync, steady-state CPU (this JVM, Consul, the Envoys, Postgres), heap and
 * threads, and then, for FLIPS distinct services, instance 0's TTL check going critical and back to
 * passing: each timed from the moment Consul's check-update call returns until each proxy has ACKed
 * a ClusterLoadAssignment reflecting it. "ACKed" is read from the control plane
 * ({@code cache().held(proxyId)}: what the proxy has ACKed), polled every 0.2 ms; after each flip
 * every real Envoy's own {@code cluster.<name>.membership_total} is checked against it. The stages
 * in between are timed on the same clock: Consul's answer to an independent blocking query on the
 * service, and the control plane's cache publishing the new assignment. Method and figures:
 * docs/benchmarks.md, "Consul discovery (issue 5)".
 *
 * <p>Usage: {@code bench/run consul-eds [SERVICES [FLIPS [STEADY_SECONDS [SIMULATED]]]]}, defaults
 * 1000, 100, 60, 0; env {@code BENCH_CONSUL_WAIT} (the control plane's EMBASSY_CONSUL_WAIT; unset:
 * its default) and {@code BENCH_CONSUL_CONN_LIMIT} (Consul's http_max_conns_per_client, default
 * 4096; Consul's own default of 200 refuses most of 1,000 watches).
 */
public final class ConsulEdsBenchmark {
  private static final String DELTA_ENVOY = "bench-envoy-delta";
  private static final String SOTW_ENVOY = "bench-envoy-sotw";
  /** Envoy's default HTTP/2 windows, as ControlPlaneBenchmark's simulated clients advertise them. */
  private static final int ENVOY_WINDOW = 256 << 20;
  private static final long POLL_NANOS = 200_000;
  private static final Duration FLIP_TIMEOUT = Duration.ofSeconds(10);

  private final int services;
  private final int flips;
  private final int steadySeconds;
  private final int simulated;
  private final Optional<String> consulWait;
  private final int connLimit;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private ConsulEdsBenchmark(int services, int flips, int steadySeconds, int simulated, Optional<String> consulWait, int connLimit) {
    this.services = services;
    this.flips = flips;
    this.steadySeconds = steadySeconds;
    this.simulated = simulated;
    this.consulWait = consulWait;
    this.connLimit = connLimit;
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("logback.configurationFile", "logback-bench.xml");
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int flips = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int steadySeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    int simulated = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    if (flips > services) {
      throw new IllegalArgumentException("each flip takes a different service: FLIPS must not exceed SERVICES");
    }
    Optional<String> wait = Optional.ofNullable(System.getenv("BENCH_CONSUL_WAIT")).filter(w -> !w.isBlank());
    int connLimit = Integer.parseInt(System.getenv().getOrDefault("BENCH_CONSUL_CONN_LIMIT", "4096"));
    new ConsulEdsBenchmark(services, flips, steadySeconds, simulated, wait, connLimit).run();
    // Netty's and the JDK HTTP client's threads would otherwise keep the JVM up a while.
    System.exit(0);
  }

  private void run() throws Exception {
    System.out.printf("consul-eds benchmark: %d services x %d instances, %d flips (critical and back), steady state %d s, "
            + "proxies: 2 Envoys (delta, state of the world) + %d simulated; consul wait %s, http_max_conns_per_client %d%n",
        services, ConsulFleet.INSTANCES, flips, steadySeconds, simulated, consulWait.orElse("default"), connLimit);
    try (ConsulAgent consul = ConsulAgent.start(List.of("-hcl", "limits { http_max_conns_per_client = " + connLimit + " }"));
        LocalPostgresCluster postgres = LocalPostgresCluster.start()) {
      long r0 = System.nanoTime();
      ConsulFleet fleet = ConsulFleet.register(consul.httpAddress(), services);
      System.out.printf("registered %,d instances in %.1f s (1 per service to the agent with a TTL check, 9 to the catalog)%n",
          services * ConsulFleet.INSTANCES, seconds(System.nanoTime() - r0));
      postgres.createDatabase("bench");
      try (HikariDataSource dataSource = ConfigDatabase.connect(postgres.jdbcUrl("bench"), "postgres", "", 8)) {
        ConfigSchema.migrate(dataSource);
        new ConfigStore(dataSource).apply(ConfigJson.json().readValue(new ConsulScaleConfig(services, FreePorts.one()).json(), ConfigDocument.class),
            true, false, "bench", "seed");
        measure(consul, fleet, dataSource, postgres.port());
      }
    }
  }

  private void measure(ConsulAgent consul, ConsulFleet fleet, HikariDataSource dataSource, int postgresPort) throws Exception {
    long heapBefore = JvmHeap.usedAfterGc();
    int threadsBefore = threads.getThreadCount();
    Map<String, String> env = new HashMap<>(Map.of(
        "EMBASSY_XDS_PORT", "0", "EMBASSY_STATUS_PORT", "0", "EMBASSY_LISTENER_ADDRESS", "127.0.0.1", "EMBASSY_REPLICA_ID", "bench",
        "EMBASSY_CONSUL_ADDRESS", consul.httpAddress().toString(),
        "EMBASSY_CONSUL_MAX_CONNECTIONS", Integer.toString(services + 64)));
    consulWait.ifPresent(w -> env.put("EMBASSY_CONSUL_WAIT", w));
    long started = System.nanoTime();
    try (ControlPlane controlPlane = ControlPlane.start(ControlPlaneConfig.fromEnvironment(env), dataSource, "bench")) {
      // Proxies connect once the first revision is served: until then the cache answers CDS and
      // LDS from an empty snapshot, and SimulatedProxy, unlike Envoy, subscribes to EDS only once,
      // with the names of its first CDS response.
      awaitFirstRevision(controlPlane, started);
      withProxies(controlPlane, consul, fleet, postgresPort, started, heapBefore, threadsBefore);
    }
  }

  private void withProxies(ControlPlane controlPlane, ConsulAgent consul, ConsulFleet fleet, int postgresPort, long started,
      long heapBefore, int threadsBefore) throws Exception {
    List<ManagedChannel> channels = new ArrayList<>();
    List<SimulatedProxy> clients = new ArrayList<>();
    List<String> clientIds = new ArrayList<>();
    try (EnvoyProcess deltaEnvoy = envoy(controlPlane, DELTA_ENVOY, "DELTA_GRPC");
        EnvoyProcess sotwEnvoy = envoy(controlPlane, SOTW_ENVOY, "GRPC")) {
      for (int i = 0; i < simulated; i++) {
        if (i % 100 == 0) {
          channels.add(NettyChannelBuilder.forAddress("127.0.0.1", controlPlane.xdsPort()).usePlaintext()
              .maxInboundMessageSize(256 << 20).flowControlWindow(ENVOY_WINDOW).build());
        }
        SimulatedProxy client = new SimulatedProxy("sim-" + i, ConsulScaleConfig.GATEWAY, ConsulScaleConfig.routeConfiguration(), i % 2 == 1);
        client.connect(channels.getLast());
        clients.add(client);
        clientIds.add("sim-" + i);
      }
      Map<String, EnvoyProcess> envoys = new LinkedHashMap<>();
      envoys.put(DELTA_ENVOY, deltaEnvoy);
      envoys.put(SOTW_ENVOY, sotwEnvoy);
      initialSync(controlPlane, envoys, clientIds, started);

      Thread.sleep(5_000);
      long heapAfter = JvmHeap.usedAfterGc();
      System.out.printf("heap after GC: %.1f MiB before the control plane, %.1f MiB with it in sync (%d watches, %d proxies%s)%n",
          heapBefore / 1048576.0, heapAfter / 1048576.0, services, 2 + simulated, simulated > 0 ? ", simulated clients included" : "");
      System.out.printf("platform threads: %d before the control plane, %d in sync (peak %d)%n",
          threadsBefore, threads.getThreadCount(), threads.getPeakThreadCount());

      steadyState(controlPlane, consul, postgresPort);
      flips(controlPlane, fleet, envoys, clientIds);
    } finally {
      clients.forEach(SimulatedProxy::close);
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }

  private void awaitFirstRevision(ControlPlane controlPlane, long started) throws InterruptedException {
    long deadline = started + TimeUnit.MINUTES.toNanos(2);
    long watchesOpen = -1;
    while (controlPlane.servedRevision() < 0) {
      if (watchesOpen < 0 && gauge(controlPlane.metrics().registry(), "embassy.discovery.watches") >= services) {
        watchesOpen = System.nanoTime();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the control plane served no revision within 2 minutes");
      }
      Thread.sleep(1);
    }
    long served = System.nanoTime();
    System.out.printf("after ControlPlane.start: %d watches open %.2f s, first revision served %.2f s; proxies connect now%n",
        services, seconds((watchesOpen < 0 ? served : watchesOpen) - started), seconds(served - started));
  }

  private static EnvoyProcess envoy(ControlPlane controlPlane, String id, String apiType) {
    return EnvoyProcess.start(RepoPaths.envoyBootstrap("edge.yaml"), Map.of(
        "ENVOY_NODE_ID", id, "ENVOY_NODE_GROUP", ConsulScaleConfig.GATEWAY, "ENVOY_XDS_API_TYPE", apiType,
        "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(controlPlane.xdsPort())));
  }

  /**
   * From the control plane's start until its cache holds an assignment with all instances for the
   * first service, half of them and all of them; each Envoy says /ready; each proxy has ACKed all of
   * those assignments. Polled every 10 ms.
   */
  private void initialSync(ControlPlane controlPlane, Map<String, EnvoyProcess> envoys, List<String> clients, long started)
      throws InterruptedException {
    Map<String, Long> reached = new LinkedHashMap<>();
    List<String> pendingClients = new ArrayList<>(clients);
    long deadline = started + TimeUnit.MINUTES.toNanos(10);
    while (true) {
      long now = System.nanoTime();
      int published = controlPlane.cache().target(ConsulScaleConfig.GATEWAY).map(t -> completeAssignments(t.resources(XdsType.ENDPOINT))).orElse(0);
      if (published > 0 && !reached.containsKey("first service published")) {
        reached.put("first service published", now);
      }
      if (published >= services / 2 && !reached.containsKey("half published")) {
        reached.put("half published", now);
      }
      if (published == services && !reached.containsKey("all published")) {
        reached.put("all published", now);
      }
      for (var envoy : envoys.entrySet()) {
        if (!reached.containsKey(envoy.getKey() + " ready") && ready(envoy.getValue())) {
          reached.put(envoy.getKey() + " ready", now);
        }
        if (!reached.containsKey(envoy.getKey() + " ACKed all") && complete(held(controlPlane, envoy.getKey()))) {
          reached.put(envoy.getKey() + " ACKed all", now);
        }
      }
      pendingClients.removeIf(id -> complete(held(controlPlane, id)));
      if (!clients.isEmpty() && pendingClients.isEmpty() && !reached.containsKey("simulated ACKed all")) {
        reached.put("simulated ACKed all", now);
      }
      if (reached.size() == 3 + 2 * envoys.size() + (clients.isEmpty() ? 0 : 1)) {
        break;
      }
      if (now > deadline) {
        Map<String, Long> heldComplete = new LinkedHashMap<>();
        pendingClients.stream().limit(5).forEach(id -> heldComplete.put(id, held(controlPlane, id).values().stream()
            .filter(r -> endpoints((ClusterLoadAssignment) r.message()).size() == ConsulFleet.INSTANCES).count()));
        throw new IllegalStateException("initial sync incomplete after 10 minutes: reached " + reached.keySet()
            + "; simulated clients pending " + pendingClients.size() + " (complete assignments held by the first: " + heldComplete
            + "); failing watches " + controlPlane.failingDiscovery());
      }
      Thread.sleep(10);
    }
    StringBuilder line = new StringBuilder("initial sync from ControlPlane.start (10 ms polling):");
    reached.forEach((what, at) -> line.append(String.format(" %s %.2f s;", what, seconds(at - started))));
    System.out.println(line);
  }

  private void steadyState(ControlPlane controlPlane, ConsulAgent consul, int postgresPort) throws InterruptedException {
    MeterRegistry meters = controlPlane.metrics().registry();
    long responses0 = controlPlane.proxies().responseCount();
    double changes0 = count(meters, "embassy.discovery.instance.changes");
    long jvm0 = os.getProcessCpuTime();
    long consul0 = cpuNanos(ProcessHandle.of(consul.pid()));
    List<ProcessHandle> envoyProcesses = envoyProcesses();
    long envoys0 = envoyProcesses.stream().mapToLong(p -> cpuNanos(Optional.of(p))).sum();
    long postgres0 = postgresCpuNanos(postgresPort);
    long w0 = System.nanoTime();
    Thread.sleep(steadySeconds * 1_000L);
    double wall = seconds(System.nanoTime() - w0);
    double jvm = seconds(os.getProcessCpuTime() - jvm0);
    double consulCpu = seconds(cpuNanos(ProcessHandle.of(consul.pid())) - consul0);
    double envoyCpu = seconds(envoyProcesses.stream().mapToLong(p -> cpuNanos(Optional.of(p))).sum() - envoys0);
    double postgresCpu = seconds(postgresCpuNanos(postgresPort) - postgres0);
    System.out.printf("steady state %.0f s, no changes: JVM (control plane + benchmark) CPU %.2f s = %.2f%% of a core; "
            + "consul %.2f s; %d Envoys %.2f s; postgres %.2f s; platform threads %d; blocking queries in flight %.0f; "
            + "instance changes seen %.0f; xDS responses sent %d; failing watches %s%n",
        wall, jvm, 100 * jvm / wall, consulCpu, envoyProcesses.size(), envoyCpu, postgresCpu, threads.getThreadCount(),
        gauge(meters, "embassy.discovery.blocking.queries"), count(meters, "embassy.discovery.instance.changes") - changes0,
        controlPlane.proxies().responseCount() - responses0, controlPlane.failingDiscovery());
  }

  private void flips(ControlPlane controlPlane, ConsulFleet fleet, Map<String, EnvoyProcess> envoys, List<String> clients)
      throws Exception {
    List<Integer> order = new ArrayList<>(IntStream.range(0, services).boxed().toList());
    Collections.shuffle(order, new Random(42));
    MeterRegistry meters = controlPlane.metrics().registry();
    Map<String, Double> pushes0 = pushesByType(meters);
    Timer pushToAck = meters.find("embassy.controlplane.push.ack").timer();
    long acks0 = pushToAck.count();
    double ackMillis0 = pushToAck.totalTime(TimeUnit.MILLISECONDS);
    FlipTimings critical = new FlipTimings(flips);
    FlipTimings passing = new FlipTimings(flips);
    int envoyMismatches = 0;
    for (int f = 0; f < flips; f++) {
      int s = order.get(f);
      envoyMismatches += flip(controlPlane, fleet, envoys, clients, s, false, critical, f);
      Thread.sleep(20);
      envoyMismatches += flip(controlPlane, fleet, envoys, clients, s, true, passing, f);
      Thread.sleep(20);
    }
    System.out.printf("flips: %d services, each critical then passing; times from the check update's HTTP call returning, in ms%n", flips);
    critical.print("pass -> critical");
    passing.print("critical -> pass");
    FlipTimings.combined(critical, passing).print("both");
    Map<String, Double> pushes = pushesByType(meters);
    pushes.replaceAll((type, n) -> n - pushes0.getOrDefault(type, 0.0));
    System.out.printf("xDS responses sent during the flips, by type: %s (expected: ClusterLoadAssignment only, %d per proxy)%n",
        pushes, 2 * flips);
    System.out.printf("control plane's push -> ACK timer during the flips: %d ACKs, mean %.2f ms%n",
        pushToAck.count() - acks0, (pushToAck.totalTime(TimeUnit.MILLISECONDS) - ackMillis0) / Math.max(1, pushToAck.count() - acks0));
    System.out.printf("Envoy admin check after each flip (cluster.<name>.membership_total equals what the control plane says it ACKed): "
        + "%d mismatches in %d checks; failing watches: %s; platform threads at end: %d%n",
        envoyMismatches, 2 * flips * envoys.size(), controlPlane.failingDiscovery(), threads.getThreadCount());
    // Every flip ended passing, and a response carried only the changed assignment: each Envoy
    // must still hold every service with all its instances.
    for (var envoy : envoys.entrySet()) {
      Map<Integer, Integer> clustersBySize = new java.util.TreeMap<>();
      String body = envoy.getValue().admin("/stats?filter=" + URLEncoder.encode("^cluster\\.svc-[0-9]+\\.membership_total$", StandardCharsets.UTF_8));
      for (String line : body.split("\n")) {
        if (!line.isBlank()) {
          clustersBySize.merge(Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1).strip()), 1, Integer::sum);
        }
      }
      System.out.printf("Envoy %s at the end: clusters by membership_total %s (expected {%d=%d})%n",
          envoy.getKey(), clustersBySize, ConsulFleet.INSTANCES, services);
    }
  }

  /** One check update and its way to every proxy; returns the number of Envoys whose admin view disagrees afterwards. */
  private int flip(ControlPlane controlPlane, ConsulFleet fleet, Map<String, EnvoyProcess> envoys, List<String> clients,
      int s, boolean toPassing, FlipTimings timings, int index) throws Exception {
    String cluster = ConsulFleet.service(s);
    int expected = toPassing ? ConsulFleet.INSTANCES : ConsulFleet.INSTANCES - 1;
    String address = ConsulFleet.flippingAddress(s);
    Predicate<ClusterLoadAssignment> reflects = cla -> endpoints(cla).size() == expected
        && endpoints(cla).stream().anyMatch(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress().equals(address)) == toPassing;

    CompletableFuture<Long> consulAnswered = fleet.awaitPassing(s, fleet.healthIndex(s), expected);
    // Let the probe's blocking query reach Consul before the change, so it is woken by it.
    Thread.sleep(5);

    Map<String, BooleanSupplier> stages = new LinkedHashMap<>();
    stages.put(FlipTimings.PUBLISHED, () -> controlPlane.cache().target(ConsulScaleConfig.GATEWAY)
        .map(t -> t.resources(XdsType.ENDPOINT).get(cluster)).map(r -> reflects.test((ClusterLoadAssignment) r.message())).orElse(false));
    for (String envoy : envoys.keySet()) {
      stages.put("ACKed by " + envoy, () -> reflects(held(controlPlane, envoy), cluster, reflects));
    }
    if (!clients.isEmpty()) {
      List<String> pending = new ArrayList<>(clients);
      stages.put("ACKed by all " + clients.size() + " simulated", () -> {
        pending.removeIf(id -> reflects(held(controlPlane, id), cluster, reflects));
        return pending.isEmpty();
      });
    }

    long before = System.nanoTime();
    fleet.check(s, toPassing);
    long returned = System.nanoTime();
    Map<String, Long> reached = new LinkedHashMap<>();
    long deadline = returned + FLIP_TIMEOUT.toNanos();
    while (reached.size() < stages.size()) {
      for (var stage : stages.entrySet()) {
        if (!reached.containsKey(stage.getKey())) {
          long now = System.nanoTime();
          if (stage.getValue().getAsBoolean()) {
            reached.put(stage.getKey(), now);
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("flip of %s to %s: after %s only %s reached; held by %s: %s".formatted(cluster,
            toPassing ? "passing" : "critical", FLIP_TIMEOUT, reached.keySet(), DELTA_ENVOY, describe(held(controlPlane, DELTA_ENVOY).get(cluster))));
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
    long consulAt = consulAnswered.get(FLIP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    Map<String, Long> inOrder = new LinkedHashMap<>();
    stages.keySet().forEach(stage -> inOrder.put(stage, reached.get(stage)));
    timings.record(index, millis(returned - before), millis(consulAt - returned), inOrder, returned);

    int mismatches = 0;
    for (var envoy : envoys.entrySet()) {
      int members = membership(envoy.getValue(), cluster);
      if (members != expected) {
        mismatches++;
        System.out.printf("  Envoy %s has %d members of %s after ACKing %d%n", envoy.getKey(), members, cluster, expected);
      }
    }
    return mismatches;
  }

  private static boolean reflects(SortedMap<String, XdsResource> held, String cluster, Predicate<ClusterLoadAssignment> reflects) {
    XdsResource resource = held.get(cluster);
    return resource != null && reflects.test((ClusterLoadAssignment) resource.message());
  }

  /** The ClusterLoadAssignments proxy {@code id} has ACKed; empty while it is not connected. */
  private static SortedMap<String, XdsResource> held(ControlPlane controlPlane, String id) {
    return controlPlane.cache().held(id).map(h -> h.get(XdsType.ENDPOINT)).orElse(Collections.emptySortedMap());
  }

  /** Whether {@code assignments} holds every service, each with all its instances. */
  private boolean complete(SortedMap<String, XdsResource> assignments) {
    return assignments.size() >= services && completeAssignments(assignments) == services;
  }

  /** How many services {@code assignments} holds with all their instances. */
  private int completeAssignments(SortedMap<String, XdsResource> assignments) {
    int complete = 0;
    for (int s = 0; s < services; s++) {
      XdsResource resource = assignments.get(ConsulFleet.service(s));
      if (resource != null && endpoints((ClusterLoadAssignment) resource.message()).size() == ConsulFleet.INSTANCES) {
        complete++;
      }
    }
    return complete;
  }

  private static List<LbEndpoint> endpoints(ClusterLoadAssignment assignment) {
    List<LbEndpoint> all = new ArrayList<>();
    for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
      all.addAll(locality.getLbEndpointsList());
    }
    return all;
  }

  private static String describe(XdsResource resource) {
    return resource == null ? "nothing" : endpoints((ClusterLoadAssignment) resource.message()).stream()
        .map(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress()).toList().toString();
  }

  private static boolean ready(EnvoyProcess envoy) {
    try {
      return envoy.admin("/ready").strip().equals("LIVE");
    } catch (RuntimeException notYet) {
      return false;
    }
  }

  /** Envoy's own count of the cluster's hosts, from its admin stats. */
  private static int membership(EnvoyProcess envoy, String cluster) {
    String stat = "cluster." + cluster + ".membership_total";
    String body = envoy.admin("/stats?filter=" + URLEncoder.encode("^" + stat.replace(".", "\\.") + "$", StandardCharsets.UTF_8));
    for (String line : body.split("\n")) {
      if (line.startsWith(stat + ": ")) {
        return Integer.parseInt(line.substring(stat.length() + 2).strip());
      }
    }
    throw new IllegalStateException("Envoy has no stat " + stat + ": " + body);
  }

  private static Map<String, Double> pushesByType(MeterRegistry meters) {
    Map<String, Double> byType = new java.util.TreeMap<>();
    for (Counter counter : meters.find("embassy.controlplane.pushes").counters()) {
      byType.put(counter.getId().getTag("type"), counter.count());
    }
    return byType;
  }

  private static double count(MeterRegistry meters, String name) {
    return meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  private static double gauge(MeterRegistry meters, String name) {
    return Optional.ofNullable(meters.find(name).gauge()).map(g -> g.value()).orElse(Double.NaN);
  }

  private static List<ProcessHandle> envoyProcesses() {
    return ProcessHandle.current().children()
        .filter(p -> p.info().command().map(c -> c.endsWith("/envoy")).orElse(false)).toList();
  }

  /** CPU time of the Postgres server on {@code port} and all its backends. */
  private static long postgresCpuNanos(int port) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
        .filter(p -> p.info().arguments().map(a -> List.of(a).contains(Integer.toString(port))).orElse(false))
        .findFirst()
        .map(postmaster -> cpuNanos(Optional.of(postmaster)) + postmaster.descendants().mapToLong(p -> cpuNanos(Optional.of(p))).sum())
        .orElse(0L);
  }

  private static long cpuNanos(Optional<ProcessHandle> process) {
    return process.flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}
