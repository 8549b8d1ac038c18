package dev.embassy.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.embassy.discovery.ServiceInstance;
import dev.embassy.discovery.ServiceQuery;
import dev.embassy.discovery.consul.ConsulDiscoveryConfig;
import dev.embassy.discovery.consul.ConsulServiceWatcher;
import dev.embassy.testsupport.ConsulAgent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Issue 5's discovery benchmark: SERVICES services x 10 instances in a real Consul dev agent, all
 * watched by one ConsulServiceWatcher. Measures initial sync, health flip (TTL fail/pass) to
 * listener latency, steady-state CPU and threads with no changes, and heap. Method and figures:
 * docs/benchmarks.md, "Consul discovery (issue 5)".
 *
 * <p>Usage: {@code bench/run discovery [SERVICES [FLIPS [STEADY_SECONDS]]]}; env
 * {@code BENCH_DISCOVERY_WAIT} (blocking wait, default 5m) and {@code BENCH_CONSUL_CONN_LIMIT}
 * (Consul's http_max_conns_per_client, default 4096; Consul's own default is 200).
 */
public final class DiscoveryBenchmark {
  private static final int INSTANCES = ConsulFleet.INSTANCES;

  private final Map<String, List<ServiceInstance>> latest = new ConcurrentHashMap<>();
  private final Map<String, Expectation> expectations = new ConcurrentHashMap<>();

  private record Expectation(Predicate<List<ServiceInstance>> met, CompletableFuture<Long> at) {}

  public static void main(String[] args) throws Exception {
    System.setProperty("logback.configurationFile", "logback-bench.xml");
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int flips = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int steadySeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    String wait = System.getenv().getOrDefault("BENCH_DISCOVERY_WAIT", "5m");
    int connLimit = Integer.parseInt(System.getenv().getOrDefault("BENCH_CONSUL_CONN_LIMIT", "4096"));
    new DiscoveryBenchmark().run(services, flips, steadySeconds, wait, connLimit);
  }

  private void run(int services, int flips, int steadySeconds, String wait, int connLimit) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.out.printf("discovery benchmark: %d services x %d instances, wait=%s, consul http_max_conns_per_client=%d%n",
        services, INSTANCES, wait, connLimit);
    try (ConsulAgent consul =
        ConsulAgent.start(List.of("-hcl", "limits { http_max_conns_per_client = " + connLimit + " }"))) {
      long t0 = System.nanoTime();
      ConsulFleet fleet = ConsulFleet.register(consul.httpAddress(), services);
      System.out.printf("registered %,d instances in %.1f s (32 parallel PUTs: 1 per service to the agent with a TTL check, 9 to the catalog)%n",
          services * INSTANCES, (System.nanoTime() - t0) / 1e9);

      long heapBefore = JvmHeap.usedAfterGc();
      int threadsBefore = threads.getThreadCount();
      Map<String, String> env = Map.of(
          "EMBASSY_CONSUL_ADDRESS", consul.httpAddress().toString(),
          "EMBASSY_CONSUL_WAIT", wait,
          "EMBASSY_CONSUL_MAX_CONNECTIONS", Integer.toString(services + 64));
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      try (ConsulServiceWatcher watcher = ConsulServiceWatcher.connect(ConsulDiscoveryConfig.fromEnvironment(env), meters)) {
        long s0 = System.nanoTime();
        for (int s = 0; s < services; s++) {
          String name = ConsulFleet.service(s);
          watcher.watch(ServiceQuery.of(name), (query, instances) -> delivered(name, instances));
        }
        while (latest.size() < services || latest.values().stream().anyMatch(l -> l.size() != INSTANCES)) {
          Thread.sleep(5);
          if (System.nanoTime() - s0 > TimeUnit.MINUTES.toNanos(5)) {
            throw new IllegalStateException("initial sync incomplete: " + latest.size() + " services; health " + watcher.health().degraded());
          }
        }
        System.out.printf("initial sync of %d watches: %.0f ms; blocking queries in flight: %d; degraded: %s%n",
            services, (System.nanoTime() - s0) / 1e6, watcher.blockingQueries(), watcher.health().degraded());
        Thread.sleep(2_000);
        long heapAfter = JvmHeap.usedAfterGc();
        System.out.printf("heap after GC: %.1f MiB before watches, %.1f MiB with %d watches (%.1f KiB per watched service incl. its 10 instances)%n",
            heapBefore / 1048576.0, heapAfter / 1048576.0, services, (heapAfter - heapBefore) / 1024.0 / services);
        System.out.printf("platform threads: %d before, %d with %d watches (peak %d)%n",
            threadsBefore, threads.getThreadCount(), services, threads.getPeakThreadCount());

        // (b) steady state, nothing changes.
        long cpu0 = os.getProcessCpuTime();
        long consulCpu0 = consulCpuNanos(consul);
        long w0 = System.nanoTime();
        Thread.sleep(steadySeconds * 1_000L);
        double wallS = (System.nanoTime() - w0) / 1e9;
        double cpuS = (os.getProcessCpuTime() - cpu0) / 1e9;
        double consulCpuS = (consulCpuNanos(consul) - consulCpu0) / 1e9;
        System.out.printf("steady state %.0f s, no changes: JVM CPU %.2f s (%.2f%% of one core), consul CPU %.2f s; platform threads %d; in flight %d; degraded %s; changes seen %s%n",
            wallS, cpuS, 100 * cpuS / wallS, consulCpuS, threads.getThreadCount(), watcher.blockingQueries(),
            watcher.health().degraded(), meters.find("embassy.discovery.instance.changes").counters().stream().mapToDouble(c -> c.count()).sum());

        // (a) flips: a random instance's TTL check fails, then passes again.
        Random random = new Random(42);
        double[] fail = new double[flips];
        double[] pass = new double[flips];
        for (int f = 0; f < flips; f++) {
          int s = random.nextInt(services);
          String id = ConsulFleet.service(s) + "-0";
          fail[f] = flip(fleet, s, false, l -> l.size() == INSTANCES - 1 && l.stream().noneMatch(i -> i.id().equals(id)));
          pass[f] = flip(fleet, s, true, l -> l.size() == INSTANCES);
          Thread.sleep(20);
        }
        Stats failStats = Stats.of(fail);
        Stats passStats = Stats.of(pass);
        System.out.printf("flip pass->critical -> listener (n=%d): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", failStats.count(), failStats.p50(), failStats.p99(), failStats.max());
        System.out.printf("flip critical->passing -> listener (n=%d): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", passStats.count(), passStats.p50(), passStats.p99(), passStats.max());
        System.out.printf("errors during the run: %s; platform threads at end: %d%n",
            watcher.health().watches().stream().mapToLong(w -> w.totalErrors()).sum() + watcher.health().catalog().totalErrors(),
            threads.getThreadCount());
      }
    }
  }

  private void delivered(String service, List<ServiceInstance> instances) {
    latest.put(service, instances);
    Expectation expectation = expectations.get(service);
    if (expectation != null && expectation.met().test(instances)) {
      expectation.at().complete(System.nanoTime());
    }
  }

  /** Timed from just before the check update to the listener call that shows the change. */
  private double flip(ConsulFleet fleet, int s, boolean passing, Predicate<List<ServiceInstance>> met) throws Exception {
    String service = ConsulFleet.service(s);
    Expectation expectation = new Expectation(met, new CompletableFuture<>());
    expectations.put(service, expectation);
    long start = System.nanoTime();
    fleet.check(s, passing);
    long at = expectation.at().get(10, TimeUnit.SECONDS);
    expectations.remove(service);
    return (at - start) / 1e6;
  }

  private static long consulCpuNanos(ConsulAgent consul) {
    return ProcessHandle.of(consul.pid()).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(-1L);
  }
}
