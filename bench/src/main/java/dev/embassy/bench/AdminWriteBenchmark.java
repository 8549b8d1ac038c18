package dev.embassy.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.admin.auth.AdminTokens;
import dev.embassy.admin.http.AdminHttpServer;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.testsupport.LocalPostgresCluster;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Issue 13 (fast writes): single route creates over HTTP with 10,000 routes in place, measured
 * as latency (one client, sequential; 32 clients, closed loop) and as CPU per create split into
 * load generator, admin API JVM and Postgres. {@code bench/run admin-api writes [ROUNDS]} repeats
 * the measured round and prints medians; {@code bench/run admin-api profile} records one
 * sequential phase with JFR (1 ms sampling) and pg_stat_statements and prints where the time goes.
 */
final class AdminWriteBenchmark {
  private static final String TOKEN = "bench-admin-token-0123456789abcdef";
  private static final int ROUTES = 10_000;
  private static final int CLUSTERS = 2_000;
  private static final int SEQUENTIAL = 1_000;
  private static final int SEQUENTIAL_JDK = 300;
  private static final int CLIENTS = 32;
  private static final int CREATES_PER_CLIENT = 100;
  private static final int PROFILED = 2_000;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private AdminWriteBenchmark() {}

  static void main(String mode, int rounds) throws Exception {
    boolean profile = mode.equals("profile");
    try (LocalPostgresCluster postgres = LocalPostgresCluster.start()) {
      try (Connection admin = java.sql.DriverManager.getConnection(postgres.jdbcUrl("postgres"), "postgres", "");
          Statement statement = admin.createStatement()) {
        statement.execute("CREATE DATABASE bench");
        if (profile) {
          statement.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
        }
      }
      if (profile) {
        postgres.stopServer();
        postgres.restart();
        try (Connection bench = java.sql.DriverManager.getConnection(postgres.jdbcUrl("bench"), "postgres", "");
            Statement statement = bench.createStatement()) {
          statement.execute("CREATE EXTENSION pg_stat_statements");
          // Also the statements the revision triggers run (audit insert, NOTIFY), marked as not toplevel.
          statement.execute("ALTER SYSTEM SET pg_stat_statements.track = 'all'");
          statement.execute("SELECT pg_reload_conf()");
        }
      }
      try (HikariDataSource dataSource = ConfigDatabase.connect(postgres.jdbcUrl("bench"), "postgres", "", 40)) {
        ConfigSchema.migrate(dataSource);
        new AdminTokens(dataSource).installBootstrap(TOKEN, "bench");
        try (AdminHttpServer server = AdminHttpServer.start("127.0.0.1", 0, dataSource)) {
          int port = server.port();
          long postmaster = postgres.postmasterPid();
          setUp(port);
          if (profile) {
            profile(port, postgres.jdbcUrl("bench"), postmaster);
          } else {
            measure(port, postmaster, rounds);
          }
        }
      }
    }
  }

  /** 10,000 routes over 2,000 clusters, then creates enough to compile the create path. */
  private static void setUp(int port) throws Exception {
    try (LeanHttpClient client = new LeanHttpClient("127.0.0.1", port, TOKEN)) {
      LeanHttpClient.Response applied = client.post("/api/v1/config:apply?prune=true", ScaleConfig.document(ROUTES, CLUSTERS, 0));
      if (applied.status() != 200) {
        throw new IllegalStateException("apply failed: " + applied.status());
      }
    }
    long start = System.nanoTime();
    // Each client and the closed loop once, twice: the first measured round ran visibly colder
    // (JIT still compiling) with only the first pass.
    for (int pass = 0; pass < 2; pass++) {
      sequential(port, "warm" + pass, 3_000, false);
      sequential(port, "warmjdk" + pass, SEQUENTIAL_JDK, true);
      closedLoop(port, "warm" + pass, 50);
    }
    System.out.printf("set up: %,d routes applied, 2 x (3,000 + %d sequential + %,d concurrent) creates to warm up (%.1f s)%n",
        ROUTES, SEQUENTIAL_JDK, CLIENTS * 50, (System.nanoTime() - start) / 1e9);
  }

  private record Round(Sequential lean, Sequential jdk, Concurrent closed) {}

  private static void measure(int port, long postmaster, int rounds) throws Exception {
    List<Round> results = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      Cpu before = Cpu.now(postmaster);
      Sequential lean = sequential(port, "r" + round + "s", SEQUENTIAL, false);
      Cpu afterLean = Cpu.now(postmaster);
      Sequential jdk = sequential(port, "r" + round + "j", SEQUENTIAL_JDK, true);
      Cpu afterJdk = Cpu.now(postmaster);
      Concurrent closed = closedLoop(port, "r" + round + "c", CREATES_PER_CLIENT);
      Cpu afterClosed = Cpu.now(postmaster);
      Round r = new Round(lean.withCpu(afterLean.minus(before)), jdk.withCpu(afterJdk.minus(afterLean)), closed.withCpu(afterClosed.minus(afterJdk)));
      results.add(r);
      System.out.printf("round %d: sequential p50 %.2f / p99 %.2f ms, CPU %s | java.net.http sequential p50 %.2f / p99 %.2f ms, client %.2f ms"
              + " | 32 clients p50 %.1f / p99 %.1f ms, %.0f creates/s, CPU %s%n",
          round, r.lean().latencies().p50(), r.lean().latencies().p99(), r.lean().perCreate(),
          r.jdk().latencies().p50(), r.jdk().latencies().p99(), r.jdk().clientMs(),
          r.closed().latencies().p50(), r.closed().latencies().p99(), r.closed().rate(), r.closed().perCreate());
    }
    System.out.println();
    System.out.printf("| single route create, %,d+ routes in place, median of %d rounds | value (rounds) | target |%n", ROUTES, rounds);
    System.out.println("|---|---|---|");
    row("sequential, p50 (ms)", results, r -> r.lean().latencies().p50(), "≤ 5");
    row("sequential, p99 (ms)", results, r -> r.lean().latencies().p99(), "≤ 15");
    row("sequential, CPU per create, load generator (ms)", results, r -> r.lean().clientMs(), "");
    row("sequential, CPU per create, admin API JVM (ms)", results, r -> r.lean().serverMs(), "");
    row("sequential, CPU per create, Postgres (ms)", results, r -> r.lean().postgresMs(), "");
    row("sequential, CPU per create, total (ms)", results, r -> r.lean().totalMs(), "≤ 1.5");
    row("sequential, CPU per create, admin API + Postgres (ms)", results, r -> r.lean().serverMs() + r.lean().postgresMs(), "");
    row("java.net.http client, sequential p50 (ms)", results, r -> r.jdk().latencies().p50(), "");
    row("java.net.http client, sequential p99 (ms)", results, r -> r.jdk().latencies().p99(), "");
    row("java.net.http client, CPU per create, load generator (ms)", results, r -> r.jdk().clientMs(), "");
    row("java.net.http client, CPU per create, total (ms)", results, r -> r.jdk().totalMs(), "");
    row("32 clients closed loop, p50 (ms)", results, r -> r.closed().latencies().p50(), "");
    row("32 clients closed loop, p99 (ms)", results, r -> r.closed().latencies().p99(), "≤ 50");
    row("32 clients closed loop, creates/s", results, r -> r.closed().rate(), "");
    row("32 clients closed loop, CPU per create, total (ms)", results, r -> r.closed().totalMs(), "");
  }

  private static void row(String name, List<Round> rounds, java.util.function.ToDoubleFunction<Round> value, String target) {
    double[] values = rounds.stream().mapToDouble(value).toArray();
    StringBuilder all = new StringBuilder();
    for (double v : values) {
      all.append(all.isEmpty() ? "" : ", ").append(String.format(v >= 100 ? "%.0f" : "%.2f", v));
    }
    double median = Stats.median(values);
    System.out.printf("| %s | **%s** (%s) | %s |%n", name, String.format(median >= 100 ? "%.0f" : "%.2f", median), all, target);
  }

  // ---- load ---------------------------------------------------------------------------------

  /** CPU per create in ms: load generator (its threads), the rest of this JVM (admin API), Postgres. */
  private record PerCreate(double client, double server, double postgres) {
    @Override
    public String toString() {
      return String.format("%.2f client + %.2f admin API + %.2f Postgres = %.2f ms", client, server, postgres, client + server + postgres);
    }
  }

  private record Sequential(Stats latencies, long clientNanos, Cpu cpu) {
    Sequential withCpu(Cpu measured) {
      return new Sequential(latencies, clientNanos, measured);
    }

    PerCreate perCreate() {
      int n = latencies.count();
      return new PerCreate(clientNanos / 1e6 / n, (cpu.jvmNanos() - clientNanos) / 1e6 / n, cpu.postgresNanos() / 1e6 / n);
    }

    double clientMs() {
      return perCreate().client();
    }

    double serverMs() {
      return perCreate().server();
    }

    double postgresMs() {
      return perCreate().postgres();
    }

    double totalMs() {
      PerCreate p = perCreate();
      return p.client() + p.server() + p.postgres();
    }
  }

  private record Concurrent(Stats latencies, double seconds, long clientNanos, Cpu cpu) {
    Concurrent withCpu(Cpu measured) {
      return new Concurrent(latencies, seconds, clientNanos, measured);
    }

    double rate() {
      return latencies.count() / seconds;
    }

    PerCreate perCreate() {
      int n = latencies.count();
      return new PerCreate(clientNanos / 1e6 / n, (cpu.jvmNanos() - clientNanos) / 1e6 / n, cpu.postgresNanos() / 1e6 / n);
    }

    double totalMs() {
      PerCreate p = perCreate();
      return p.client() + p.server() + p.postgres();
    }
  }

  /** {@code count} creates one after the other from one client; {@code jdk} uses java.net.http. */
  private static Sequential sequential(int port, String prefix, int count, boolean jdk) throws Exception {
    double[] latencies = new double[count];
    long clientNanos;
    if (jdk) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      long before = threadCpu(http);
      for (int i = 0; i < count; i++) {
        String body = routeJson(prefix + "-" + i, prefix, i);
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/routes"))
            .timeout(Duration.ofMinutes(2)).header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        latencies[i] = (System.nanoTime() - start) / 1e6;
        require(response.statusCode(), response.body());
      }
      clientNanos = threadCpu(http) - before;
      http.close();
    } else {
      try (LeanHttpClient client = new LeanHttpClient("127.0.0.1", port, TOKEN)) {
        long before = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < count; i++) {
          String body = routeJson(prefix + "-" + i, prefix, i);
          long start = System.nanoTime();
          LeanHttpClient.Response response = client.post("/api/v1/routes", body);
          latencies[i] = (System.nanoTime() - start) / 1e6;
          require(response.status(), response.body());
        }
        clientNanos = THREADS.getCurrentThreadCpuTime() - before;
      }
    }
    return new Sequential(Stats.of(latencies), clientNanos, null);
  }

  /** This thread's CPU time plus that of java.net.http's own threads (its selector manager). */
  private static long threadCpu(HttpClient http) {
    long total = THREADS.getCurrentThreadCpuTime();
    for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("HttpClient-")) {
        total += Math.max(0, THREADS.getThreadCpuTime(info.getThreadId()));
      }
    }
    return total;
  }

  /** {@link #CLIENTS} clients, each with its own connection, creating back to back. */
  private static Concurrent closedLoop(int port, String prefix, int perClient) throws Exception {
    // Daemon threads: a failed create ends the benchmark instead of leaving the JVM (and the lock) held.
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS, Thread.ofPlatform().daemon().factory());
    record ClientResult(double[] latencies, long cpuNanos) {}
    List<Future<ClientResult>> results = new ArrayList<>();
    java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(CLIENTS);
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    for (int c = 0; c < CLIENTS; c++) {
      int id = c;
      results.add(pool.submit(() -> {
        try (LeanHttpClient client = new LeanHttpClient("127.0.0.1", port, TOKEN)) {
          double[] latencies = new double[perClient];
          ready.countDown();
          go.await();
          long before = THREADS.getCurrentThreadCpuTime();
          for (int i = 0; i < perClient; i++) {
            String body = routeJson(prefix + id + "-" + i, prefix, i);
            long start = System.nanoTime();
            LeanHttpClient.Response response = client.post("/api/v1/routes", body);
            latencies[i] = (System.nanoTime() - start) / 1e6;
            require(response.status(), response.body());
          }
          return new ClientResult(latencies, THREADS.getCurrentThreadCpuTime() - before);
        }
      }));
    }
    ready.await();
    long started = System.nanoTime();
    go.countDown();
    double[] all = new double[CLIENTS * perClient];
    long clientNanos = 0;
    int n = 0;
    for (Future<ClientResult> result : results) {
      ClientResult r = result.get();
      clientNanos += r.cpuNanos();
      for (double latency : r.latencies()) {
        all[n++] = latency;
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    pool.shutdown();
    return new Concurrent(Stats.of(all), seconds, clientNanos, null);
  }

  /** One route on gateway edge: hostname {@code group}.example.com, path /{@code group}/{@code name}. */
  private static String routeJson(String name, String group, int i) {
    return "{\"name\":\"" + name + "\",\"gateway\":\"edge\",\"hostnames\":[\"" + group + ".example.com\"],"
        + "\"rules\":[{\"matches\":[{\"path\":{\"type\":\"PathPrefix\",\"value\":\"/" + group + "/" + name + "\"}}],"
        + "\"backendRefs\":[{\"cluster\":\"svc-" + (i % CLUSTERS) + "\"}]}]}";
  }

  private static void require(int status, String body) {
    if (status != 201) {
      throw new IllegalStateException("create failed: " + status + " " + body);
    }
  }

  /** Process CPU of this JVM and of the Postgres server (see {@link CpuTime}). */
  private record Cpu(long jvmNanos, long postgresNanos) {
    static Cpu now(long postmaster) {
      CpuTime cpu = CpuTime.now(postmaster).orElseThrow(() -> new IllegalStateException("CPU time needs Linux /proc"));
      return new Cpu(cpu.jvmNanos(), cpu.postgresNanos());
    }

    Cpu minus(Cpu earlier) {
      return new Cpu(jvmNanos - earlier.jvmNanos, postgresNanos - earlier.postgresNanos);
    }
  }

  // ---- profile ------------------------------------------------------------------------------

  /** One sequential phase under JFR and pg_stat_statements; prints both summaries. */
  private static void profile(int port, String jdbcUrl, long postmaster) throws Exception {
    try (Connection db = java.sql.DriverManager.getConnection(jdbcUrl, "postgres", "");
        Statement statement = db.createStatement()) {
      statement.execute("SELECT pg_stat_statements_reset()");
      Path file = Path.of("bench/target/admin-writes.jfr").toAbsolutePath();
      Cpu before = Cpu.now(postmaster);
      Sequential measured;
      try (Recording recording = new Recording(jdk.jfr.Configuration.getConfiguration("profile"))) {
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
        recording.start();
        measured = sequential(port, "profiled", PROFILED, false);
        recording.stop();
        recording.dump(file);
      }
      measured = measured.withCpu(Cpu.now(postmaster).minus(before));
      System.out.printf("%nprofiled: %,d sequential creates, p50 %.2f ms, p99 %.2f ms, CPU %s%nJFR recording: %s%n",
          PROFILED, measured.latencies().p50(), measured.latencies().p99(), measured.perCreate(), file);

      System.out.println("\npg_stat_statements (per create; toplevel statements, then those run by triggers):");
      System.out.println("| calls | total ms | mean ms | rows | top | statement |");
      System.out.println("|---|---|---|---|---|---|");
      double calls = 0;
      double execMs = 0;
      try (ResultSet rs = statement.executeQuery(
          "SELECT calls, total_exec_time + total_plan_time, rows, toplevel, regexp_replace(query, '\\s+', ' ', 'g')"
              + " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
              + " AND query NOT LIKE '%pg_stat_statements%' ORDER BY toplevel DESC, total_exec_time + total_plan_time DESC")) {
        while (rs.next()) {
          if (rs.getLong(1) < PROFILED / 2) {
            continue;
          }
          double c = rs.getLong(1) / (double) PROFILED;
          double total = rs.getDouble(2) / PROFILED;
          if (rs.getBoolean(4)) {
            calls += c;
            execMs += total;
          }
          String query = rs.getString(5);
          System.out.printf("| %.2f | %.3f | %.3f | %.2f | %s | `%s` |%n", c, total, total / c, rs.getLong(3) / (double) PROFILED,
              rs.getBoolean(4) ? "yes" : "trigger", query.length() > 140 ? query.substring(0, 140) + "…" : query);
        }
      }
      System.out.printf("toplevel statements per create: %.1f, their planning + execution time %.3f ms (Postgres CPU per create %.3f ms)%n",
          calls, execMs, measured.postgresMs());
    }
    summariseJfr(Path.of("bench/target/admin-writes.jfr"));
  }

  /** Execution samples by top frame (self) and by every method on the stack (inclusive). */
  private static void summariseJfr(Path file) throws Exception {
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> inclusive = new HashMap<>();
    Map<String, Integer> threads = new HashMap<>();
    int samples = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
      if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
        continue;
      }
      samples++;
      String thread = event.getThread("sampledThread") == null ? "?" : event.getThread("sampledThread").getJavaName();
      threads.merge(thread == null ? "?" : thread.replaceAll("\\d+", "N"), 1, Integer::sum);
      List<RecordedFrame> frames = event.getStackTrace().getFrames();
      if (!frames.isEmpty()) {
        self.merge(frameName(frames.getFirst()), 1, Integer::sum);
      }
      Set<String> seen = new HashSet<>();
      for (RecordedFrame frame : frames) {
        String name = frameName(frame);
        if (seen.add(name)) {
          inclusive.merge(name, 1, Integer::sum);
        }
      }
    }
    System.out.printf("%nJFR: %,d execution samples (1 ms period) over %,d creates%n", samples, PROFILED);
    print("by thread", threads, samples, 10);
    print("self (top frame)", self, samples, 40);
    print("inclusive (on the stack)", inclusive, samples, 150);
  }

  private static String frameName(RecordedFrame frame) {
    return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
  }

  private static void print(String title, Map<String, Integer> counts, int samples, int limit) {
    System.out.println("\n" + title + ":");
    counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())).limit(limit)
        .forEach(e -> System.out.printf("  %5.1f%%  %s%n", 100.0 * e.getValue() / samples, e.getKey()));
  }

  static {
    System.setProperty("logback.configurationFile", "logback-bench.xml");
  }
}
