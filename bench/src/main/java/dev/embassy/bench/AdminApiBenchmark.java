package dev.embassy.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.admin.auth.AdminTokens;
import dev.embassy.admin.http.AdminHttpServer;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.controlplane.ir.NodeGroupBuilder;
import dev.embassy.controlplane.ir.NodeGroupConfig;
import dev.embassy.controlplane.translate.XdsTranslator;
import dev.embassy.testsupport.LocalPostgresCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The admin API's targets, measured through the real HTTP server on a real Postgres:
 * declarative apply of 10,000 routes over 2,000 clusters (dry run and real), single route creates
 * from 32 concurrent clients, and the control plane's full translation of that config. Runs are
 * repeated and medians reported, because this machine is shared and noisy.
 */
public final class AdminApiBenchmark {
  private static final String TOKEN = "bench-admin-token-0123456789abcdef";
  private static final int ROUTES = 10_000;
  private static final int CLUSTERS = 2_000;
  private static final int RUNS = 5;
  private static final int CLIENTS = 32;
  private static final int CREATES_PER_CLIENT = 100;

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * {@code bench/run admin-api} runs everything below; {@code bench/run admin-api writes [ROUNDS]}
   * and {@code bench/run admin-api profile} run only the single-create measurements of issue 13
   * ({@link AdminWriteBenchmark}).
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("writes") || args[0].equals("profile"))) {
      AdminWriteBenchmark.main(args[0], args.length > 1 ? Integer.parseInt(args[1]) : 3);
      return;
    }
    try (LocalPostgresCluster postgres = LocalPostgresCluster.start()) {
      postgres.createDatabase("bench");
      try (HikariDataSource dataSource = ConfigDatabase.connect(postgres.jdbcUrl("bench"), "postgres", "", 40)) {
        ConfigSchema.migrate(dataSource);
        new AdminTokens(dataSource).installBootstrap(TOKEN, "bench");
        try (AdminHttpServer server = AdminHttpServer.start("127.0.0.1", 0, dataSource)) {
          run(server.port(), new ConfigStore(dataSource), postgres.postmasterPid());
        }
      }
    }
  }

  private static void run(int port, ConfigStore store, long postmasterPid) throws Exception {
    String base = "http://127.0.0.1:" + port;
    String document = ScaleConfig.document(ROUTES, CLUSTERS, 0);
    String changed = ScaleConfig.document(ROUTES, CLUSTERS, 1);
    System.out.printf("document: %d routes, %d clusters, %.1f MiB of JSON%n", ROUTES, CLUSTERS, document.length() / 1048576.0);

    double[] dryRunCreate = new double[RUNS];
    double[] applyCreate = new double[RUNS];
    double[] dryRunNoop = new double[RUNS];
    double[] applyUpdate10 = new double[RUNS];
    double[] prune = new double[RUNS];
    for (int run = 0; run < RUNS; run++) {
      dryRunCreate[run] = timedApply(base, document, "?dryRun=true&prune=true");
      applyCreate[run] = timedApply(base, document, "?prune=true");
      dryRunNoop[run] = timedApply(base, document, "?dryRun=true&prune=true");
      applyUpdate10[run] = timedApply(base, changed, "?prune=true");
      prune[run] = timedApply(base, "{}", "?prune=true");
      System.out.printf("run %d: dry-run(create) %.0f ms, apply(create) %.0f ms, dry-run(no change) %.0f ms, apply(10%% updated) %.0f ms, prune all %.0f ms%n",
          run + 1, dryRunCreate[run], applyCreate[run], dryRunNoop[run], applyUpdate10[run], prune[run]);
    }

    timedApply(base, document, "?prune=true");
    double[] translate = new double[RUNS];
    ConfigDocument stored = store.snapshot().document();
    for (int run = 0; run < RUNS; run++) {
      long start = System.nanoTime();
      int resources = 0;
      for (NodeGroupConfig group : NodeGroupBuilder.build(stored, dev.embassy.controlplane.ir.TranslationSettings.defaults("0.0.0.0"), EndpointSource.NONE)) {
        resources += XdsTranslator.translate(group).clusters().size();
      }
      translate[run] = (System.nanoTime() - start) / 1e6;
      if (resources != CLUSTERS) {
        throw new IllegalStateException("translated " + resources + " clusters, expected " + CLUSTERS);
      }
    }

    // Single creates with the 10,000-route config in place, as on a busy gateway. The first
    // closed-loop round compiles the create path (the applies above run other code) and is
    // reported apart; the second is the measured one, with its CPU split.
    closedLoop(base, "cold", postmasterPid);
    ClosedLoop warm = closedLoop(base, "warm", postmasterPid);
    Stats creates = warm.latencies();
    int total = CLIENTS * CREATES_PER_CLIENT;

    Stats paced = pacedCreates(base, 100, Duration.ofSeconds(20));
    // How much write load the API carries while its p99 stays within target: open-loop rates
    // stepped up until p99 passes 20 ms (or the steps run out).
    java.util.Map<Integer, Stats> sweep = new java.util.TreeMap<>();
    for (int rate : new int[] {150, 200, 300, 400, 600}) {
      Stats atRate = pacedCreates(base, rate, Duration.ofSeconds(10));
      sweep.put(rate, atRate);
      System.out.printf("  open loop %d creates/s: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", rate, atRate.p50(), atRate.p99(), atRate.max());
      if (atRate.p99() > 20) {
        break;
      }
    }

    System.out.println();
    System.out.println("| measurement | median of " + RUNS + " | target |");
    System.out.println("|---|---|---|");
    System.out.printf("| dry run, 10,000 routes + 2,000 clusters to create | %.0f ms | ≤ 2,000 ms |%n", Stats.median(dryRunCreate));
    System.out.printf("| apply, 10,000 routes + 2,000 clusters created | %.0f ms | ≤ 3,000 ms |%n", Stats.median(applyCreate));
    System.out.printf("| dry run, nothing changed | %.0f ms | ≤ 2,000 ms |%n", Stats.median(dryRunNoop));
    System.out.printf("| apply, 1,000 of 10,000 routes updated | %.0f ms | ≤ 3,000 ms |%n", Stats.median(applyUpdate10));
    System.out.printf("| apply with prune, all 12,001 resources deleted | %.0f ms | — |%n", Stats.median(prune));
    System.out.printf("| control plane: full translation of that config | %.0f ms | ≤ 500 ms |%n", Stats.median(translate));
    System.out.printf("%nsingle route create, %d clients x %d creates with %,d routes in place (the first round's included): p50 %.1f ms, p99 %.1f ms, max %.1f ms, %.0f creates/s (target p99 ≤ 20 ms)%n",
        CLIENTS, CREATES_PER_CLIENT, ROUTES + total, creates.p50(), creates.p99(), creates.max(), total / warm.seconds());
    // Where the saturated case's time goes: if the CPU one create costs, times the creates per
    // second that 32 busy clients need for a 20 ms p99, exceeds the machine's cores, then no
    // locking scheme meets the target here at that cost per create.
    warm.cpu().ifPresent(cpu -> {
      double jvmMs = cpu.jvmNanos() / 1e6 / total;
      double postgresMs = cpu.postgresNanos() / 1e6 / total;
      int cores = Runtime.getRuntime().availableProcessors();
      System.out.printf("  CPU per create in that run: %.2f ms in the JVM (HTTP client + admin API), %.2f ms in Postgres;"
              + " %d cores could run at most %.0f creates/s, so %d busy clients wait at least %.0f ms per create on average%n",
          jvmMs, postgresMs, cores, cores * 1000 / (jvmMs + postgresMs), CLIENTS, CLIENTS * (jvmMs + postgresMs) / cores);
    });
    System.out.printf("single route create, %d clients sharing 100 creates/s for 20 s (open loop): p50 %.1f ms, p99 %.1f ms, max %.1f ms, n=%d (target p99 ≤ 20 ms)%n",
        CLIENTS, paced.p50(), paced.p99(), paced.max(), paced.count());
    sweep.forEach((rate, stats) -> System.out.printf("single route create, %d clients sharing %d creates/s for 10 s (open loop): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        CLIENTS, rate, stats.p50(), stats.p99(), stats.max()));
  }

  private record ClosedLoop(Stats latencies, double seconds, java.util.Optional<CpuTime> cpu) {}

  /** {@link #CLIENTS} clients creating {@link #CREATES_PER_CLIENT} routes each, back to back. */
  private static ClosedLoop closedLoop(String base, String round, long postmasterPid) throws Exception {
    // Daemon threads: a failed create ends the benchmark instead of leaving the JVM (and the lock) held.
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS, Thread.ofPlatform().daemon().factory());
    List<Future<double[]>> results = new ArrayList<>();
    java.util.Optional<CpuTime> before = CpuTime.now(postmasterPid);
    long started = System.nanoTime();
    for (int client = 0; client < CLIENTS; client++) {
      int id = client;
      results.add(pool.submit(() -> {
        double[] latencies = new double[CREATES_PER_CLIENT];
        for (int i = 0; i < CREATES_PER_CLIENT; i++) {
          latencies[i] = timedCreate(base, round + id + "-" + i, round, i);
        }
        return latencies;
      }));
    }
    double[] all = new double[CLIENTS * CREATES_PER_CLIENT];
    int n = 0;
    for (Future<double[]> result : results) {
      for (double latency : result.get()) {
        all[n++] = latency;
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    java.util.Optional<CpuTime> cpu = before.flatMap(b -> CpuTime.now(postmasterPid).map(after -> after.minus(b)));
    pool.shutdown();
    Stats stats = Stats.of(all);
    System.out.printf("  closed loop (%s): p50 %.1f ms, p99 %.1f ms, %.0f creates/s%n", round, stats.p50(), stats.p99(), all.length / seconds);
    return new ClosedLoop(stats, seconds, cpu);
  }

  /**
   * Creates at a fixed total rate spread over {@link #CLIENTS} clients: latency when the API is
   * not saturated. Each client sends on its own schedule (open loop), so a slow answer does not
   * lower the offered load. Route names and paths carry the rate, so each step creates new routes.
   */
  private static Stats pacedCreates(String base, int perSecond, Duration duration) throws Exception {
    String step = "paced" + perSecond;
    long intervalNanos = 1_000_000_000L * CLIENTS / perSecond;
    int perClient = (int) (duration.toSeconds() * perSecond / CLIENTS);
    // Daemon threads: a failed create ends the benchmark instead of leaving the JVM (and the lock) held.
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS, Thread.ofPlatform().daemon().factory());
    List<Future<double[]>> results = new ArrayList<>();
    long start = System.nanoTime();
    for (int client = 0; client < CLIENTS; client++) {
      int id = client;
      results.add(pool.submit(() -> {
        double[] latencies = new double[perClient];
        long next = start + intervalNanos * id / CLIENTS;
        for (int i = 0; i < perClient; i++) {
          long wait = next - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
          latencies[i] = timedCreate(base, step + "-" + id + "-" + i, step, i);
          next += intervalNanos;
        }
        return latencies;
      }));
    }
    List<Double> all = new ArrayList<>();
    for (Future<double[]> result : results) {
      for (double latency : result.get()) {
        all.add(latency);
      }
    }
    pool.shutdown();
    return Stats.of(all.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Creates one route (hostname {@code group}.example.com, path /{@code group}/{@code name}); returns its latency in ms. */
  private static double timedCreate(String base, String name, String group, int i) throws Exception {
    String route = "{\"name\":\"" + name + "\",\"gateway\":\"edge\",\"hostnames\":[\"" + group + ".example.com\"],"
        + "\"rules\":[{\"matches\":[{\"path\":{\"type\":\"PathPrefix\",\"value\":\"/" + group + "/" + name + "\"}}],"
        + "\"backendRefs\":[{\"cluster\":\"svc-" + (i % CLUSTERS) + "\"}]}]}";
    long start = System.nanoTime();
    HttpResponse<String> response = post(base + "/api/v1/routes", route, "application/json");
    double millis = (System.nanoTime() - start) / 1e6;
    if (response.statusCode() != 201) {
      throw new IllegalStateException("create failed: " + response.statusCode() + " " + response.body());
    }
    return millis;
  }

  private static double timedApply(String base, String body, String query) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> response = post(base + "/api/v1/config:apply" + query, body, "application/json");
    double millis = (System.nanoTime() - start) / 1e6;
    if (response.statusCode() != 200) {
      throw new IllegalStateException("apply failed: " + response.statusCode() + " " + response.body().substring(0, Math.min(2000, response.body().length())));
    }
    return millis;
  }

  private static HttpResponse<String> post(String url, String body, String type) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofMinutes(2))
        .header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  static {
    // Keep the benchmark's own output readable; the servers log at WARN.
    System.setProperty("logback.configurationFile", "logback-bench.xml");
  }
}
