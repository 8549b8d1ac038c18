package dev.embassy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.model.AuthPolicy;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.LocalPostgresCluster;
import dev.embassy.testsupport.ManagedProcess;
import dev.embassy.testsupport.RealBinary;
import dev.embassy.testsupport.RepoPaths;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * auth-service under a real gRPC load generator (ghz, built from the Go module proxy) at fixed and
 * unbounded rates (issue 6's performance targets). The service runs as deployed: its own JVM from
 * auth-service/target/auth-service.jar, policies from a real Postgres, keys fetched over HTTP from
 * a JWKS this program serves. ghz and the service share the machine's cores.
 *
 * <p>Runs: (1) cached RS256, unbounded rate, 3 × 20 s (target ≥ 30,000 checks/s); (2) cached
 * RS256 at a fixed 5,000 rps, 3 × 20 s (target p99 ≤ 2 ms); (3) with the verified-token cache off,
 * RS256, ES256 and EdDSA unbounded, 15 s each; (4) the service's resident memory and heap.
 * Every run is preceded by a 10 s warm-up that is not counted. Each run checks that every
 * response was an allow.
 */
public final class AuthBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final String ISSUER = "https://bench.issuer";
  private static final Duration RUN = Duration.ofSeconds(Integer.getInteger("bench.auth.seconds", 20));
  private static final int RUNS = Integer.getInteger("bench.auth.runs", 3);
  /** -Dbench.auth.fixedOnly=true: only the 5,000 rps runs (for trying settings quickly). */
  private static final boolean FIXED_ONLY = Boolean.getBoolean("bench.auth.fixedOnly");

  private AuthBenchmark() {}

  /** A key, its JWS algorithm and its public JWK. */
  private record BenchKey(String alg, String kid, KeyPair pair, String jca, Map<String, Object> jwk) {}

  public static void main(String[] args) throws Exception {
    System.setProperty("logback.configurationFile", "logback-bench.xml");
    Path ghz = RealBinary.cacheRoot().resolve("bin/ghz");
    Path jar = RepoPaths.root().resolve("auth-service/target/auth-service.jar");
    if (!Files.isExecutable(ghz) || !Files.isRegularFile(jar)) {
      throw new IllegalStateException("needs " + ghz + " and " + jar + "; run through bench/run auth");
    }
    List<BenchKey> keys = List.of(rsa(), ec(), ed());
    Path work = Files.createTempDirectory("embassy-auth-bench-");
    Path protoset = work.resolve("auth.protoset");
    Files.write(protoset, protoset().toByteArray());

    HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    byte[] jwksBody = JSON.writeValueAsBytes(Map.of("keys", keys.stream().map(BenchKey::jwk).toList()));
    jwks.createContext("/jwks", exchange -> {
      exchange.getResponseHeaders().set("content-type", "application/json");
      exchange.sendResponseHeaders(200, jwksBody.length);
      exchange.getResponseBody().write(jwksBody);
      exchange.close();
    });
    jwks.start();
    try (LocalPostgresCluster postgres = LocalPostgresCluster.start()) {
      postgres.createDatabase("authbench");
      String jdbc = postgres.jdbcUrl("authbench");
      try (HikariDataSource dataSource = ConfigDatabase.connect(jdbc, postgres.user(), postgres.password(), 2)) {
        ConfigSchema.migrate(dataSource);
        ConfigStore store = new ConfigStore(dataSource);
        for (BenchKey key : keys) {
          store.create(policy(key, "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks"), "bench", "bench");
        }
      }
      Map<String, String> env = Map.of("EMBASSY_DATABASE_URL", jdbc, "EMBASSY_DATABASE_USER", postgres.user(),
          "EMBASSY_DATABASE_PASSWORD", postgres.password(), "EMBASSY_LOG_LEVEL", "WARN");
      List<String> report = new ArrayList<>();
      Load grpcload = new Load("grpcload", RealBinary.cacheRoot().resolve("bin/embassy-grpcload"), protoset, work);
      Load ghzLoad = new Load("ghz", ghz, protoset, work);

      // --- cached: the token is verified once, then every Check is a cache hit
      try (Service service = Service.start(jar, env, work.resolve("auth-cached.log"))) {
        Path data = requestFile(work, keys.get(0));
        grpcload.run(data, service, 0, Duration.ofSeconds(10), "warmup");
        double[] rps = new double[RUNS];
        for (int i = 0; i < (FIXED_ONLY ? 0 : RUNS); i++) {
          Result r = grpcload.run(data, service, 0, RUN, "cached-max-" + i);
          rps[i] = r.rps;
          System.out.printf("grpcload: cached RS256 unbounded run %d: %,.0f checks/s, p50 %.3f ms, p99 %.3f ms; %s%n", i + 1, r.rps, r.p50, r.p99, r.cpu());
        }
        report.add(String.format("grpcload: cached RS256, unbounded: median %,.0f checks/s %s", Stats.median(rps), Arrays.toString(rps)));
        Result g = FIXED_ONLY ? null : ghzLoad.run(data, service, 0, RUN, "ghz-cached-max");
        if (!FIXED_ONLY) report.add(String.format("ghz: cached RS256, unbounded: %,.0f checks/s, p99 %.3f ms; %s", g.rps, g.p99, g.cpu()));
        double[] p99 = new double[RUNS];
        double[] p50 = new double[RUNS];
        double[] serviceP99 = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
          Result r = grpcload.run(data, service, 5000, RUN, "cached-5k-" + i);
          p99[i] = r.p99;
          p50[i] = r.p50;
          serviceP99[i] = r.serviceP99;
          System.out.printf("grpcload: cached RS256 at 5,000 rps run %d: achieved %,.0f rps, p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms; in-service p99 ≤ %.3f ms; %s%n",
              i + 1, r.rps, r.p50, r.p99, r.p999, r.max, r.serviceP99, r.cpu());
        }
        report.add(String.format("grpcload: cached RS256 at 5,000 rps: p50 median %.3f ms %s, p99 median %.3f ms %s, in-service p99 median ≤ %.3f ms",
            Stats.median(p50), Arrays.toString(p50), Stats.median(p99), Arrays.toString(p99), Stats.median(serviceP99)));
        g = FIXED_ONLY ? null : ghzLoad.run(data, service, 5000, RUN, "ghz-cached-5k");
        if (!FIXED_ONLY) report.add(String.format("ghz: cached RS256 at 5,000 rps: p50 %.3f ms, p99 %.3f ms, in-service p99 ≤ %.3f ms; %s", g.p50, g.p99, g.serviceP99, g.cpu()));
        report.add(service.memory());
      }
      if (FIXED_ONLY) {
        report.forEach(System.out::println);
        return;
      }
      // --- uncached: the cache is off, every Check verifies the signature
      Map<String, String> uncachedEnv = new LinkedHashMap<>(env);
      uncachedEnv.put("EMBASSY_AUTH_TOKEN_CACHE_SIZE", "0");
      try (Service service = Service.start(jar, uncachedEnv, work.resolve("auth-uncached.log"))) {
        for (BenchKey key : keys) {
          Path data = requestFile(work, key);
          grpcload.run(data, service, 0, Duration.ofSeconds(10), "warmup-" + key.alg);
          Result r = grpcload.run(data, service, 0, Duration.ofSeconds(15), "uncached-" + key.alg);
          String line = String.format("grpcload: uncached %s, unbounded: %,.0f checks/s, p50 %.3f ms, p99 %.3f ms; %s", key.alg, r.rps, r.p50, r.p99, r.cpu());
          System.out.println(line);
          report.add(line);
        }
        report.add(service.memory() + " (cache off)");
      }
      System.out.println();
      System.out.println("summary:");
      report.forEach(line -> System.out.println("  " + line));
    } finally {
      jwks.stop(0);
    }
  }

  /** The Envoy protos ghz needs, as a FileDescriptorSet (ghz --protoset). */
  private static FileDescriptorSet protoset() {
    Set<FileDescriptor> files = new LinkedHashSet<>();
    collect(CheckRequest.getDescriptor().getFile(), files);
    FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
    files.forEach(f -> set.addFile(f.toProto()));
    return set.build();
  }

  private static void collect(FileDescriptor file, Set<FileDescriptor> into) {
    for (FileDescriptor dependency : file.getDependencies()) {
      collect(dependency, into);
    }
    into.add(file);
  }

  private static AuthPolicy policy(BenchKey key, String jwksUri) {
    return new AuthPolicy("bench-" + key.alg.toLowerCase(), Map.of(),
        List.of(new AuthPolicy.JwtProvider("bench", ISSUER, Optional.empty(), Optional.of(jwksUri), List.of("bench-api"),
            List.of(key.alg), "60s", Optional.empty())),
        new AuthPolicy.Requirements(AuthPolicy.Mode.all, List.of("orders:read"), List.of()), Optional.empty(),
        List.of(new AuthPolicy.ClaimHeader("sub", "x-user-id"), new AuthPolicy.ClaimHeader("scope", "x-user-scopes")),
        true, false, Optional.empty());
  }

  private static Path requestFile(Path work, BenchKey key) throws Exception {
    long now = Instant.now().getEpochSecond();
    String header = "{\"alg\":\"" + key.alg + "\",\"kid\":\"" + key.kid + "\",\"typ\":\"JWT\"}";
    String claims = "{\"iss\":\"" + ISSUER + "\",\"aud\":\"bench-api\",\"sub\":\"user-42\",\"scope\":\"orders:read profile\","
        + "\"iat\":" + now + ",\"exp\":" + (now + 3600) + ",\"email\":\"user42@example.com\"}";
    String input = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    Signature signature = Signature.getInstance(key.jca);
    signature.initSign(key.pair.getPrivate());
    signature.update(input.getBytes(StandardCharsets.US_ASCII));
    String token = input + "." + B64.encodeToString(signature.sign());
    CheckRequest request = CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
        .putContextExtensions("embassy.policy", "bench-" + key.alg.toLowerCase())
        .putContextExtensions("embassy.route", "orders")
        .setRequest(AttributeContext.Request.newBuilder().setHttp(AttributeContext.HttpRequest.newBuilder()
            .setId("1").setMethod("GET").setPath("/orders/42?page=1").setHost("api.example.com").setScheme("https").setProtocol("HTTP/1.1")
            .putHeaders(":authority", "api.example.com").putHeaders(":method", "GET").putHeaders(":path", "/orders/42?page=1")
            .putHeaders("accept", "application/json").putHeaders("user-agent", "bench/1.0")
            .putHeaders("x-request-id", "5f0c9a2e-2d4b-4b7e-9a57-3b9c1d0e8f11").putHeaders("authorization", "Bearer " + token))))
        .build();
    // Binary, not JSON: ghz renders JSON call data through Go's text/template and a dynamic
    // message parser on every call, which cost it more CPU per call than the service spends.
    Files.writeString(work.resolve("request-" + key.alg + ".json"), JsonFormat.printer().print(request));
    Path file = work.resolve("request-" + key.alg + ".bin");
    Files.write(file, request.toByteArray());
    return file;
  }

  /** One run's figures (latencies in ms; CPU per check in µs; in-service p99 from the service's histogram). */
  private record Result(double rps, double p50, double p99, double p999, double max, long count,
      double serviceCpuMicros, double loadCpuMicros, double serviceP99) {
    String cpu() {
      return String.format("CPU per check: service %.1f µs, load generator %.1f µs", serviceCpuMicros, loadCpuMicros);
    }
  }

  /**
   * A load generator binary: ghz, or grpcload (bench/grpcload, a small grpc-go client that sends
   * the serialised request as bytes; see its header for why).
   */
  private record Load(String name, Path binary, Path protoset, Path work) {
    Result run(Path data, Service service, int rps, Duration duration, String run) throws Exception {
      Path out = work.resolve(name + "-" + run + ".json");
      // Fixed rate: 8 calls in flight at most on one connection, as one Envoy worker would keep
      // them; unbounded: 64 over 4 connections, enough to keep both service threads busy.
      int concurrency = rps == 0 ? 64 : Integer.getInteger("bench.auth.fixed.concurrency", 8);
      String connections = rps == 0 ? "4" : System.getProperty("bench.auth.fixed.connections", "1");
      List<String> command = new ArrayList<>(List.of(binary.toString()));
      if (name.equals("ghz")) {
        command.addAll(List.of("--insecure", "--protoset", protoset.toString(),
            "--call", "envoy.service.auth.v3.Authorization.Check", "--binary-file", data.toString(),
            "--connections", connections, "--concurrency", Integer.toString(concurrency), "--duration", duration.toSeconds() + "s",
            "--timeout", "2s", "--format", "json", "--output", out.toString()));
        if (rps > 0) {
          command.addAll(List.of("--rps", Integer.toString(rps)));
        }
        command.add("127.0.0.1:" + service.port);
      } else {
        command.addAll(List.of("-addr", "127.0.0.1:" + service.port, "-data", data.toString(), "-rps", Integer.toString(rps),
            "-concurrency", Integer.toString(concurrency), "-connections", connections, "-duration", duration.toSeconds() + "s"));
      }
      Map<Double, Long> bucketsBefore = service.checkHistogram();
      long serviceCpuBefore = service.cpuNanos();
      ProcessBuilder builder = new ProcessBuilder(command).redirectError(work.resolve(name + "-" + run + ".log").toFile());
      if (!name.equals("ghz")) {
        builder.redirectOutput(out.toFile());
      } else {
        builder.redirectOutput(work.resolve(name + "-" + run + ".out").toFile());
      }
      if (rps > 0) {
        // At a fixed rate the load generator gets one of the two cores; Go's idle spinning on the
        // second one otherwise delays the service's wake-ups and shows up as our tail latency.
        builder.environment().put("GOMAXPROCS", System.getProperty("bench.auth.fixed.gomaxprocs", "1"));
      }
      Process process = builder.start();
      long loadCpu = 0;
      while (!process.waitFor(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        loadCpu = process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(loadCpu);
      }
      long serviceCpu = service.cpuNanos() - serviceCpuBefore;
      double serviceP99 = percentile(bucketsBefore, service.checkHistogram(), 0.99);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(name + " failed: " + Files.readString(work.resolve(name + "-" + run + ".log")));
      }
      JsonNode result = JSON.readTree(out.toFile());
      if (name.equals("ghz")) {
        return ghzResult(result, run, rps == 0 ? 64 : concurrency, serviceCpu, loadCpu, serviceP99);
      }
      long count = result.get("count").asLong();
      if (result.get("errors").asLong() > 0 || result.get("denied").asLong() > 0) {
        throw new IllegalStateException(run + ": " + result.get("errors") + " errors and " + result.get("denied") + " denials of " + count
            + " (first error: " + result.path("first_error").asText() + ")");
      }
      return new Result(result.get("rps").asDouble(), result.get("p50_ms").asDouble(), result.get("p99_ms").asDouble(),
          result.get("p999_ms").asDouble(), result.get("max_ms").asDouble(), count,
          serviceCpu / 1e3 / count, loadCpu / 1e3 / count, serviceP99);
    }
  }

  private static Result ghzResult(JsonNode result, String name, int concurrency, long serviceCpu, long ghzCpu, double serviceP99) {
    long count = result.get("count").asLong();
    long ok = result.path("statusCodeDistribution").path("OK").asLong();
    // When a duration-bound run ends, ghz cancels the calls still in flight and counts them as
    // errors ("use of closed network connection"); at most one per concurrent worker. Anything
    // else, or more than that, is a real failure.
    long cutOff = 0;
    for (var errors = result.path("errorDistribution").fields(); errors.hasNext(); ) {
      var error = errors.next();
      if (error.getKey().contains("closed network connection") || error.getKey().contains("context canceled")
          || error.getKey().contains("transport is closing") || error.getKey().contains("connection is closing")) {
        cutOff += error.getValue().asLong();
      }
    }
    if (count - ok - cutOff != 0 || cutOff > concurrency) {
      throw new IllegalStateException(name + ": " + (count - ok) + " of " + count + " calls failed: " + result.path("errorDistribution"));
    }
    double p50 = 0;
    double p99 = 0;
    double p999 = 0;
    for (JsonNode point : result.get("latencyDistribution")) {
      double latency = point.get("latency").asDouble() / 1e6;
      switch (point.get("percentage").asInt()) {
        case 50 -> p50 = latency;
        case 99 -> p99 = latency;
        default -> { }
      }
    }
    return new Result(result.get("rps").asDouble(), p50, p99, p999, result.get("slowest").asDouble() / 1e6, count,
        serviceCpu / 1e3 / count, ghzCpu / 1e3 / count, serviceP99);
  }

  /**
   * The upper bound of the histogram bucket holding quantile {@code q} of the Checks between two
   * scrapes of embassy_auth_check_duration_seconds (time inside the service, gRPC framing excluded).
   */
  private static double percentile(Map<Double, Long> before, Map<Double, Long> after, double q) {
    long total = after.getOrDefault(Double.POSITIVE_INFINITY, 0L) - before.getOrDefault(Double.POSITIVE_INFINITY, 0L);
    for (Map.Entry<Double, Long> bucket : after.entrySet()) {
      long cumulative = bucket.getValue() - before.getOrDefault(bucket.getKey(), 0L);
      if (total > 0 && cumulative >= q * total) {
        return bucket.getKey() * 1000;
      }
    }
    return Double.NaN;
  }

  /** auth-service in its own JVM, as deploy/up runs it. */
  private static final class Service implements AutoCloseable {
    private final ManagedProcess process;
    private final int port;
    private final int statusPort;

    private Service(ManagedProcess process, int port, int statusPort) {
      this.process = process;
      this.port = port;
      this.statusPort = statusPort;
    }

    static Service start(Path jar, Map<String, String> env, Path log) throws Exception {
      int port = FreePorts.one();
      int statusPort = FreePorts.one();
      Map<String, String> all = new LinkedHashMap<>(env);
      all.put("EMBASSY_AUTH_PORT", Integer.toString(port));
      all.put("EMBASSY_AUTH_STATUS_PORT", Integer.toString(statusPort));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> command = new ArrayList<>(List.of(java));
      if (Runtime.version().feature() >= 24) {
        command.addAll(List.of("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"));
      }
      String flags = System.getProperty("bench.auth.service.flags", "");
      if (!flags.isBlank()) {
        command.addAll(List.of(flags.strip().split("\\s+")));
      }
      command.addAll(List.of("-jar", jar.toString()));
      Service service = new Service(ManagedProcess.start("auth-service", command, all, log), port, statusPort);
      Instant deadline = Instant.now().plusSeconds(60);
      while (service.status("/readyz").statusCode() != 200) {
        service.process.requireAlive();
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("auth-service not ready: " + service.status("/readyz").body());
        }
        Thread.sleep(100);
      }
      return service;
    }

    /** Cumulative bucket counts of the service's Check-duration histogram, by upper bound in seconds. */
    Map<Double, Long> checkHistogram() throws InterruptedException {
      Map<Double, Long> buckets = new java.util.TreeMap<>();
      for (String line : status("/metrics").body().split("\n")) {
        if (line.startsWith("embassy_auth_check_duration_seconds_bucket{")) {
          String le = line.substring(line.indexOf("le=\"") + 4, line.indexOf('"', line.indexOf("le=\"") + 4));
          buckets.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le),
              (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
        }
      }
      return buckets;
    }

    /** CPU time the service process has used (user + system), from /proc. */
    long cpuNanos() throws IOException {
      String[] fields = Files.readString(Path.of("/proc/" + process.pid() + "/stat")).replaceFirst(".*\\) ", "").split(" ");
      // Fields after the command: state is index 0, utime index 11, stime index 12 (proc(5)), in clock ticks of 10 ms.
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
    }

    HttpResponse<String> status(String path) throws InterruptedException {
      try {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort + path)).build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        return new FailedResponse(e);
      }
    }

    /** Resident set size from /proc and heap in use from the service's own /metrics. */
    String memory() throws Exception {
      long rssKb = Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
          .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1L);
      double heap = 0;
      for (String line : status("/metrics").body().split("\n")) {
        if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
          heap += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return String.format("memory: RSS %.0f MiB, heap used %.0f MiB", rssKb / 1024.0, heap / 1048576);
    }

    @Override
    public void close() {
      process.close();
    }
  }

  /** Stands in for a response when the status port is not listening yet. */
  private record FailedResponse(IOException error) implements HttpResponse<String> {
    public int statusCode() { return -1; }
    public HttpRequest request() { return null; }
    public Optional<HttpResponse<String>> previousResponse() { return Optional.empty(); }
    public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true); }
    public String body() { return error.toString(); }
    public Optional<javax.net.ssl.SSLSession> sslSession() { return Optional.empty(); }
    public URI uri() { return null; }
    public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
  }

  private static BenchKey rsa() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
    return new BenchKey("RS256", "rsa-1", pair, "SHA256withRSA",
        Map.of("kty", "RSA", "kid", "rsa-1", "use", "sig", "n", unsigned(pub.getModulus()), "e", unsigned(pub.getPublicExponent())));
  }

  private static BenchKey ec() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    ECPublicKey pub = (ECPublicKey) pair.getPublic();
    return new BenchKey("ES256", "ec-1", pair, "SHA256withECDSAinP1363Format", Map.of("kty", "EC", "kid", "ec-1", "use", "sig", "crv", "P-256",
        "x", B64.encodeToString(fixed(pub.getW().getAffineX(), 32)), "y", B64.encodeToString(fixed(pub.getW().getAffineY(), 32))));
  }

  private static BenchKey ed() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] encoded = pair.getPublic().getEncoded();
    byte[] raw = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    return new BenchKey("EdDSA", "ed-1", pair, "Ed25519", Map.of("kty", "OKP", "kid", "ed-1", "use", "sig", "crv", "Ed25519",
        "x", B64.encodeToString(raw)));
  }

  private static String unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return B64.encodeToString(bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes);
  }

  private static byte[] fixed(BigInteger value, int length) {
    byte[] bytes = value.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(bytes.length, length);
    System.arraycopy(bytes, bytes.length - copy, out, length - copy, copy);
    return out;
  }
}
