package dev.embassy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.ManagedProcess;
import dev.embassy.testsupport.RepoPaths;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * bench/run ratelimit: ratelimit-service against envoyproxy/ratelimit with Redis, side by side in
 * one run, on the same machine, driven by the same load (method and figures in
 * docs/benchmarks.md).
 *
 * <p>Both services get the same envoyproxy/ratelimit config file (ours imports it unchanged):
 * domain {@code bench}, a per-user limit high enough never to be reached, so every decision takes
 * the full path (a counter update in our store, INCRBY + EXPIRE in Redis). Two real gRPC load
 * generators, both built from the Go module proxy:
 * <ol>
 *   <li><b>grpcload</b> ({@code bench/grpcload}): one serialised request (one user) sent as bytes,
 *       cheap enough per call that the two shared cores go mostly to the service. Per service: a
 *       warm-up run (listed, not hidden), then three rounds, alternating which service goes
 *       first, of a saturation run (64 calls in flight on 4 connections) and a run at a fixed
 *       10,000 calls/s (open loop, latency from each call's scheduled start, 8 in flight on one
 *       connection, the generator on one core with GOMAXPROCS=1, as in bench/run auth).</li>
 *   <li><b>ghz</b>: 1,000 users sent round-robin (1,000 counters, 1,000 Redis keys); ghz builds a
 *       dynamic message per call and needs about as much CPU as the services, so it shows the
 *       ratio at a lower absolute rate. One saturation and one 10,000/s run per service.</li>
 * </ol>
 * Then a 3-node ratelimit-service cluster (static membership) with one ghz per node over the 1,000
 * users: saturation, and 10,000 calls/s in total, where two thirds of the hits are forwarded to
 * their key's owner.
 *
 * <p>Every call carries a 20 ms deadline, Envoy's default RLS timeout, so an answer later than that
 * counts as an error, as it would in Envoy.
 */
public final class RateLimitBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private static final String CALL = "envoy.service.ratelimit.v3.RateLimitService.ShouldRateLimit";
  private static final int USERS = 1_000;

  private final Path work;
  private final Path ghz;
  private final Path grpcload;
  private final Path protos;
  private final int seconds;

  private RateLimitBenchmark(Path work, Path ghz, Path grpcload, Path protos, int seconds) {
    this.work = work;
    this.ghz = ghz;
    this.grpcload = grpcload;
    this.protos = protos;
    this.seconds = seconds;
  }

  /** One ghz run's figures. */
  record Run(String label, long calls, double rps, double p50Ms, double p90Ms, double p99Ms, double slowestMs, long errors,
      double serverP99Ms) {
    String row() {
      return String.format("| %s | %,d | %,.0f | %.2f | %.2f | %.2f | %.1f | %,d | %s |", label, calls, rps, p50Ms, p90Ms, p99Ms, slowestMs, errors,
          Double.isNaN(serverP99Ms) ? "—" : String.format("%.2f", serverP99Ms));
    }

    Run withServerP99(double ms) {
      return new Run(label, calls, rps, p50Ms, p90Ms, p99Ms, slowestMs, errors, ms);
    }
  }

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    Path cache = Path.of(System.getenv().getOrDefault("EMBASSY_CACHE", System.getProperty("user.home") + "/.cache/embassy"));
    Path ghz = cache.resolve("bin/ghz");
    Path grpcload = cache.resolve("bin/embassy-grpcload");
    String version = System.getenv().getOrDefault("ENVOY_RATELIMIT_VERSION", "v1.4.1-0.20260122083618-3fb702589d36");
    Path envoyRatelimit = cache.resolve("envoy-ratelimit").resolve(version).resolve("service_cmd");
    for (Path binary : List.of(ghz, grpcload, envoyRatelimit)) {
      if (!Files.isExecutable(binary)) {
        throw new IllegalStateException(binary + " is missing: bench/run ratelimit provisions it");
      }
    }
    Path work = Files.createTempDirectory("embassy-ratelimit-bench-");
    RateLimitBenchmark bench = new RateLimitBenchmark(work, ghz, grpcload, extractProtos(work.resolve("protos")), seconds);
    System.out.printf("redis: %s; ghz: %s; envoyproxy/ratelimit %s%n", firstLine("redis-server", "--version"),
        firstLine(ghz.toString(), "--version"), version);
    bench.run(envoyRatelimit);
  }

  private void run(Path envoyRatelimit) throws Exception {
    Path config = work.resolve("runtime/ratelimit/config");
    Files.createDirectories(config);
    Files.writeString(config.resolve("bench.yaml"), """
        # Never reached: every decision goes through the counter.
        domain: bench
        descriptors:
          - key: user
            rate_limit:
              unit: second
              requests_per_unit: 1000000
        """);
    Path data = work.resolve("users.json");
    List<Map<String, Object>> messages = new ArrayList<>();
    for (int i = 0; i < USERS; i++) {
      messages.add(Map.of("domain", "bench", "descriptors",
          List.of(Map.of("entries", List.of(Map.of("key", "user", "value", "user-" + i))))));
    }
    JSON.writeValue(data.toFile(), messages);

    int redisPort = FreePorts.one();
    int[] anchorPorts = FreePorts.many(3);
    int[] nodePorts = FreePorts.many(2);
    List<Run> results = new ArrayList<>();
    try (ManagedProcess redis = ManagedProcess.start("redis", List.of("redis-server", "--port", Integer.toString(redisPort),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"), Map.of(), work.resolve("logs/redis.log"));
        ManagedProcess anchor = ManagedProcess.start("envoyproxy-ratelimit", List.of(envoyRatelimit.toString()), Map.ofEntries(
            Map.entry("USE_STATSD", "false"), Map.entry("DISABLE_STATS", "true"), Map.entry("LOG_LEVEL", "warn"),
            Map.entry("REDIS_SOCKET_TYPE", "tcp"), Map.entry("REDIS_URL", "127.0.0.1:" + redisPort),
            Map.entry("RUNTIME_ROOT", work.resolve("runtime").toString()), Map.entry("RUNTIME_SUBDIRECTORY", "ratelimit"),
            Map.entry("RUNTIME_WATCH_ROOT", "false"), Map.entry("LIMIT_RESPONSE_HEADERS_ENABLED", "true"),
            Map.entry("GRPC_HOST", "127.0.0.1"), Map.entry("GRPC_PORT", Integer.toString(anchorPorts[0])),
            Map.entry("HOST", "127.0.0.1"), Map.entry("PORT", Integer.toString(anchorPorts[1])),
            Map.entry("DEBUG_HOST", "127.0.0.1"), Map.entry("DEBUG_PORT", Integer.toString(anchorPorts[2]))),
            work.resolve("logs/envoyproxy-ratelimit.log"));
        ManagedProcess node = embassyNode("solo", nodePorts, Map.of("EMBASSY_RATELIMIT_CONFIG_DIR", config.toString()))) {
      awaitPort(redisPort, redis);
      awaitPort(anchorPorts[0], anchor);
      awaitReady(nodePorts[1], node);
      Map<String, Integer> targets = new LinkedHashMap<>();
      targets.put("ratelimit-service", nodePorts[0]);
      targets.put("envoyproxy/ratelimit + Redis", anchorPorts[0]);
      Map<String, List<Integer>> statusPorts = Map.of("ratelimit-service", List.of(nodePorts[1]), "envoyproxy/ratelimit + Redis", List.of());
      Path oneUser = work.resolve("one-user.bin");
      Files.write(oneUser, io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest.newBuilder().setDomain("bench")
          .addDescriptors(io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor.newBuilder()
              .addEntries(io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor.Entry.newBuilder()
                  .setKey("user").setValue("user-0")))
          .build().toByteArray());
      List<String> order = new ArrayList<>(targets.keySet());
      for (String system : order) {
        results.add(measured(statusPorts.get(system),
            () -> grpcload(system + ", grpcload, warm-up (cold), saturation", targets.get(system), oneUser, 0)));
      }
      for (int round = 1; round <= 3; round++) {
        if (round > 1) {
          order = order.reversed();
        }
        for (String system : order) {
          String label = system + ", grpcload, saturation, round " + round;
          results.add(measured(statusPorts.get(system), () -> grpcload(label, targets.get(system), oneUser, 0)));
        }
        for (String system : order) {
          String label = system + ", grpcload, 10,000/s, round " + round;
          results.add(measured(statusPorts.get(system), () -> grpcload(label, targets.get(system), oneUser, 10_000)));
        }
      }
      for (String system : order.reversed()) {
        String label = system + ", ghz 1,000 users, saturation";
        results.add(measured(statusPorts.get(system), () -> ghz(label, targets.get(system), data, 64, 4, 0, seconds)));
      }
      for (String system : order) {
        String label = system + ", ghz 1,000 users, 10,000/s";
        results.add(measured(statusPorts.get(system), () -> ghz(label, targets.get(system), data, 64, 4, 10_000, seconds)));
      }
    }
    print("single node, side by side", results);
    summarize(results);

    List<Run> cluster = clusterRuns(config, data);
    print("ratelimit-service, 3 nodes (one ghz per node; 2/3 of the hits forwarded to their owner)", cluster);
    System.out.println("work directory (logs): " + work);
  }

  private List<Run> clusterRuns(Path config, Path data) throws Exception {
    List<String> ids = List.of("n1", "n2", "n3");
    Map<String, int[]> ports = new LinkedHashMap<>();
    ids.forEach(id -> ports.put(id, FreePorts.many(2)));
    String peers = String.join(",", ids.stream().map(id -> id + "@127.0.0.1:" + ports.get(id)[0]).toList());
    List<ManagedProcess> nodes = new ArrayList<>();
    List<Run> runs = new ArrayList<>();
    try {
      for (String id : ids) {
        nodes.add(embassyNode(id, ports.get(id), Map.of("EMBASSY_RATELIMIT_CONFIG_DIR", config.toString(), "EMBASSY_RATELIMIT_PEERS", peers)));
      }
      for (int i = 0; i < ids.size(); i++) {
        awaitReady(ports.get(ids.get(i))[1], nodes.get(i));
      }
      List<Integer> statusPorts = ports.values().stream().map(p -> p[1]).toList();
      runs.add(measured(statusPorts, () -> parallel("3 nodes, warm-up (cold), saturation", ports, data, 0)));
      for (int round = 1; round <= 2; round++) {
        String saturation = "3 nodes, saturation, round " + round;
        runs.add(measured(statusPorts, () -> parallel(saturation, ports, data, 0)));
        String fixed = "3 nodes, 10,000/s in total, round " + round;
        runs.add(measured(statusPorts, () -> parallel(fixed, ports, data, 10_000)));
      }
    } finally {
      nodes.forEach(ManagedProcess::close);
    }
    return runs;
  }

  /** One ghz per node at once; calls, rates and errors add up, latencies are the worst node's. */
  private Run parallel(String label, Map<String, int[]> ports, Path data, int totalRps) throws Exception {
    List<CompletableFuture<Run>> runs = new ArrayList<>();
    for (Map.Entry<String, int[]> node : ports.entrySet()) {
      runs.add(CompletableFuture.supplyAsync(() -> {
        try {
          return ghz(label + " @" + node.getKey(), node.getValue()[0], data, 32, 2, totalRps / ports.size(), seconds);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    List<Run> each = new ArrayList<>();
    for (CompletableFuture<Run> run : runs) {
      each.add(run.get());
    }
    return new Run(label, each.stream().mapToLong(Run::calls).sum(), each.stream().mapToDouble(Run::rps).sum(),
        each.stream().mapToDouble(Run::p50Ms).max().orElse(0), each.stream().mapToDouble(Run::p90Ms).max().orElse(0),
        each.stream().mapToDouble(Run::p99Ms).max().orElse(0), each.stream().mapToDouble(Run::slowestMs).max().orElse(0),
        each.stream().mapToLong(Run::errors).sum(), Double.NaN);
  }

  /**
   * One grpcload run with {@code request} (serialised) on every call: unbounded with 64 calls in
   * flight over 4 connections, or open loop at {@code rps} with 8 in flight on one connection and
   * the generator on one core (at a fixed rate Go's idle spinning on the second core otherwise
   * delays the service's wake-ups and shows up as its tail latency; bench/run auth measured it).
   */
  private Run grpcload(String label, int port, Path request, int rps) throws Exception {
    Path out = Files.createTempFile(work, "grpcload-", ".json");
    List<String> command = List.of(grpcload.toString(), "-addr", "127.0.0.1:" + port,
        "-method", "/" + CALL.substring(0, CALL.lastIndexOf('.')) + "/" + CALL.substring(CALL.lastIndexOf('.') + 1),
        "-data", request.toString(), "-timeout", "20ms", "-duration", seconds + "s", "-rps", Integer.toString(rps),
        "-concurrency", rps == 0 ? "64" : "8", "-connections", rps == 0 ? "4" : "1");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(work.resolve("logs/grpcload.log").toFile());
    if (rps > 0) {
      builder.environment().put("GOMAXPROCS", "1");
    }
    Process process = builder.start();
    if (!process.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("grpcload did not finish: " + label);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException("grpcload failed: " + label + ": " + Files.readString(work.resolve("logs/grpcload.log")));
    }
    // grpcload's "denied" reads an ext_authz CheckResponse; RLS answers are not that shape, and a
    // never-reached limit answers OK anyway, so only errors (including answers after 20 ms) count.
    JsonNode report = JSON.readTree(out.toFile());
    return new Run(label, report.path("count").asLong(), report.path("rps").asDouble(), report.path("p50_ms").asDouble(),
        report.path("p90_ms").asDouble(), report.path("p99_ms").asDouble(), report.path("max_ms").asDouble(),
        report.path("errors").asLong(), Double.NaN);
  }

  private Run ghz(String label, int port, Path data, int concurrency, int connections, int rps, int durationSeconds) throws Exception {
    Path out = Files.createTempFile(work, "ghz-", ".json");
    List<String> command = new ArrayList<>(List.of(ghz.toString(), "--insecure",
        "--import-paths", protos.toString(), "--proto", protos.resolve("envoy/service/ratelimit/v3/rls.proto").toString(),
        "--call", CALL, "--data-file", data.toString(), "--disable-template-data", "--disable-template-functions",
        "--concurrency", Integer.toString(concurrency), "--connections", Integer.toString(connections),
        "--timeout", "20ms", "--duration", durationSeconds + "s", "--format", "json", "--output", out.toString()));
    if (rps > 0) {
      command.addAll(List.of("--rps", Integer.toString(rps)));
    }
    command.add("127.0.0.1:" + port);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("logs/ghz.log").toFile()).start();
    if (!process.waitFor(durationSeconds + 60L, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("ghz did not finish: " + label);
    }
    JsonNode report = JSON.readTree(out.toFile());
    // ghz's report lists every call (tens of MB per run); the summary is all this needs.
    Files.delete(out);
    Map<Integer, Double> percentiles = new HashMap<>();
    for (JsonNode p : report.path("latencyDistribution")) {
      percentiles.put(p.path("percentage").asInt(), p.path("latency").asDouble() / 1e6);
    }
    long ok = report.path("statusCodeDistribution").path("OK").asLong();
    long count = report.path("count").asLong();
    return new Run(label, count, report.path("rps").asDouble(), percentiles.getOrDefault(50, 0.0), percentiles.getOrDefault(90, 0.0),
        percentiles.getOrDefault(99, 0.0), report.path("slowest").asDouble() / 1e6, count - ok, Double.NaN);
  }

  @FunctionalInterface
  private interface Measurement {
    Run run() throws Exception;
  }

  /**
   * Runs a measurement and adds the p99 of ratelimit-service's own answer time (handler entry to
   * response sent, embassy_ratelimit_request_seconds) over the run, from the nodes' histograms.
   */
  private static Run measured(List<Integer> statusPorts, Measurement measurement) throws Exception {
    if (statusPorts.isEmpty()) {
      Run run = measurement.run();
      System.out.println(run.row());
      return run;
    }
    Map<Double, Double> before = buckets(statusPorts);
    Run run = measurement.run();
    Map<Double, Double> after = buckets(statusPorts);
    double total = after.getOrDefault(Double.POSITIVE_INFINITY, 0.0) - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
    double p99 = Double.NaN;
    for (Map.Entry<Double, Double> bucket : after.entrySet()) {
      if (bucket.getValue() - before.getOrDefault(bucket.getKey(), 0.0) >= 0.99 * total) {
        p99 = bucket.getKey() * 1_000;
        break;
      }
    }
    Run measuredRun = run.withServerP99(p99);
    System.out.println(measuredRun.row());
    return measuredRun;
  }

  /** Cumulative bucket counts of embassy_ratelimit_request_seconds, summed over nodes, by upper bound. */
  private static Map<Double, Double> buckets(List<Integer> statusPorts) throws Exception {
    java.util.TreeMap<Double, Double> sum = new java.util.TreeMap<>();
    java.util.regex.Pattern bucket = java.util.regex.Pattern.compile("^embassy_ratelimit_request_seconds_bucket\\{le=\"([^\"]+)\"} (\\S+)$");
    for (int port : statusPorts) {
      String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      for (String line : metrics.lines().toList()) {
        java.util.regex.Matcher m = bucket.matcher(line);
        if (m.matches()) {
          double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
          sum.merge(le, Double.parseDouble(m.group(2)), Double::sum);
        }
      }
    }
    return sum;
  }

  private ManagedProcess embassyNode(String id, int[] ports, Map<String, String> settings) {
    Path jar = RepoPaths.root().resolve("ratelimit-service/target/ratelimit-service.jar");
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
    if (Runtime.version().feature() >= 24) {
      command.addAll(List.of("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"));
    }
    // Generational ZGC: pauses well under a millisecond, where G1's young pauses took 10-16 ms on
    // this two-core machine with the load generator beside it (the benchmark's first runs).
    command.addAll(List.of("-XX:+UseZGC", "-Xms512m", "-Xmx512m", "-jar", jar.toString()));
    Map<String, String> env = new HashMap<>(settings);
    env.put("EMBASSY_RATELIMIT_NODE_ID", id);
    env.put("EMBASSY_RATELIMIT_PORT", Integer.toString(ports[0]));
    env.put("EMBASSY_RATELIMIT_STATUS_PORT", Integer.toString(ports[1]));
    env.put("EMBASSY_LOG_LEVEL", "WARN");
    return ManagedProcess.start("ratelimit-" + id, command, env, work.resolve("logs/ratelimit-" + id + ".log"));
  }

  private static void print(String title, List<Run> runs) {
    System.out.println();
    System.out.println("### " + title);
    System.out.println("| run | calls | calls/s | p50 ms | p90 ms | p99 ms | slowest ms | errors (incl. > 20 ms) | server-side p99 ms |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    runs.forEach(r -> System.out.println(r.row()));
  }

  /** Medians of the three grpcload rounds, the ghz runs, and the ratio ours / anchor. */
  private static void summarize(List<Run> runs) {
    System.out.println();
    System.out.println("| single node | ratelimit-service | envoyproxy/ratelimit + Redis | ratio |");
    System.out.println("|---|---|---|---|");
    String ours = "ratelimit-service, ";
    String theirs = "envoyproxy/ratelimit + Redis, ";
    double oursMax = median(runs, ours + "grpcload, saturation", Run::rps);
    double theirsMax = median(runs, theirs + "grpcload, saturation", Run::rps);
    System.out.printf("| grpcload, saturation, calls/s (median of 3) | %,.0f | %,.0f | %.2f× |%n", oursMax, theirsMax, oursMax / theirsMax);
    for (String metric : List.of("p50", "p99")) {
      java.util.function.ToDoubleFunction<Run> f = metric.equals("p50") ? Run::p50Ms : Run::p99Ms;
      double a = median(runs, ours + "grpcload, 10,000/s", f);
      double b = median(runs, theirs + "grpcload, 10,000/s", f);
      System.out.printf("| grpcload, 10,000/s, %s ms (median of 3) | %.2f | %.2f | %.2f× |%n", metric, a, b, a / b);
    }
    double a = median(runs, ours + "ghz 1,000 users, saturation", Run::rps);
    double b = median(runs, theirs + "ghz 1,000 users, saturation", Run::rps);
    System.out.printf("| ghz 1,000 users, saturation, calls/s | %,.0f | %,.0f | %.2f× |%n", a, b, a / b);
    a = median(runs, ours + "ghz 1,000 users, 10,000/s", Run::p99Ms);
    b = median(runs, theirs + "ghz 1,000 users, 10,000/s", Run::p99Ms);
    System.out.printf("| ghz 1,000 users, 10,000/s, p99 ms | %.2f | %.2f | %.2f× |%n", a, b, a / b);
  }

  private static double median(List<Run> runs, String prefix, java.util.function.ToDoubleFunction<Run> value) {
    double[] values = runs.stream().filter(r -> r.label().startsWith(prefix) && !r.label().contains("warm-up")).mapToDouble(value).sorted().toArray();
    return values.length == 0 ? Double.NaN : values[values.length / 2];
  }

  /** The .proto files in java-control-plane's api jar, for ghz (envoyproxy/ratelimit has no reflection). */
  private static Path extractProtos(Path dir) throws IOException {
    Path jar;
    try {
      jar = Path.of(io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      for (JarEntry entry : file.stream().filter(e -> e.getName().endsWith(".proto")).toList()) {
        Path target = dir.resolve(entry.getName());
        Files.createDirectories(target.getParent());
        try (InputStream in = file.getInputStream(entry)) {
          Files.copy(in, target);
        }
      }
    }
    return dir;
  }

  private static void awaitPort(int port, ManagedProcess process) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      process.requireAlive();
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("nothing listens on " + port + "; log:\n" + process.logTail(20));
  }

  private static void awaitReady(int statusPort, ManagedProcess process) throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      process.requireAlive();
      try {
        if (HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort + "/readyz")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("ratelimit-service not ready; log:\n" + process.logTail(20));
  }

  private static String firstLine(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("?");
      p.waitFor(5, TimeUnit.SECONDS);
      return out;
    } catch (IOException | InterruptedException e) {
      return "unknown";
    }
  }
}
