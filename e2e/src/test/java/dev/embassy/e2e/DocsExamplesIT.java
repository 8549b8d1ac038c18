package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.admin.auth.AdminTokens;
import dev.embassy.admin.http.AdminHttpServer;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.e2e.docs.DocExampleException;
import dev.embassy.e2e.docs.DocExampleExtractor;
import dev.embassy.e2e.docs.DocExampleRunner;
import dev.embassy.e2e.docs.DocStep;
import dev.embassy.e2e.monitoring.MonitoringFiles;
import dev.embassy.testsupport.ConsulAgent;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.OtlpTraceReceiver;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.RepoPaths;
import dev.embassy.testsupport.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example the docs mark with {@code <!-- docs-test: ... -->} (docs/contributing-docs.md),
 * replayed against the real stack: admin API and embassyctl on a real Postgres, the control plane,
 * auth-service, ratelimit-service and a real Envoy, with two demo backends where deploy/up has
 * them. Each page starts from an empty config and runs in its own directory. The same runner is
 * shown failing on deliberately broken examples, so a page that stops working fails this test.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
// The metrics check first: run after other config, its Consul-discovered apply was not reported
// applied within 20 s once (see the commit message); not investigated yet.
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class DocsExamplesIT {
  private static final String ADMIN_TOKEN = "docs-test-admin-token-0123456789";
  /** Pages that must have replayed examples; a page losing its markers must not pass silently. */
  private static final List<String> PAGES_WITH_EXAMPLES = List.of(
      "quickstart.md", "reference/embassyctl.md", "guides/routing.md", "guides/resilience.md", "guides/security.md",
      "guides/transformation.md", "guides/observability.md", "guides/rate-limiting.md", "operations/backup.md");

  private ConsulAgent consul;
  private DemoBackend demo1;
  private DemoBackend demo2;
  /** Where the pages' tracing examples send Envoy's spans (their collector on 4317). */
  private OtlpTraceReceiver collector;
  private Gateway gateway;
  private HikariDataSource adminDataSource;
  private AdminHttpServer admin;
  private DocExampleRunner runner;
  private DocExampleExtractor extractor;

  @BeforeAll
  void startStack(TestDatabase database) {
    demo1 = DemoBackend.start("demo-1");
    demo2 = DemoBackend.start("demo-2");
    collector = OtlpTraceReceiver.start();
    consul = ConsulAgent.start();
    gateway = Gateway.start(database, Map.of("EMBASSY_CONSUL_ADDRESS", consul.httpAddress().toString()));
    adminDataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4);
    new AdminTokens(adminDataSource).installBootstrap(ADMIN_TOKEN, "docs-test");
    admin = AdminHttpServer.start("127.0.0.1", 0, adminDataSource);
    gateway.envoy().awaitReady(java.time.Duration.ofSeconds(30));
    // The ports deploy/up uses (README "Running the stack"), which the pages are written for.
    Map<Integer, Integer> ports = Map.of(
        10000, gateway.listenerPort(), 8001, admin.port(), 8088, demo1.port(), 8089, demo2.port(),
        9901, gateway.envoy().adminPort(), 9102, FreePorts.one(), 10443, FreePorts.one(), 4317, collector.grpcPort());
    runner = new DocExampleRunner(ports, "http://127.0.0.1:" + admin.port(), ADMIN_TOKEN,
        this::awaitLatestRevision);
    extractor = new DocExampleExtractor(Map.of("EMBASSY_ADMIN_TOKEN", ADMIN_TOKEN));
  }

  /**
   * Metrics the dashboard and alert rules read but that no healthy stack exports: Micrometer
   * registers a tagged counter at its first increment, so these appear only once their failure
   * happens. Each must still be registered by the code (its dotted name is in main sources).
   */
  private static final Map<String, String> EXPORTED_ONLY_ON_FAILURE = Map.of(
      "embassy_controlplane_nacks_total", "embassy.controlplane.nacks",
      "embassy_controlplane_revisions_rejected_total", "embassy.controlplane.revisions.rejected",
      "embassy_controlplane_xds_refused_total", "embassy.controlplane.xds.refused",
      "embassy_ratelimit_owner_unreachable_total", "embassy.ratelimit.owner.unreachable");
  /** Series Prometheus itself adds. */
  private static final java.util.Set<String> PROMETHEUS_OWN = java.util.Set.of("up");

  @Test
  @org.junit.jupiter.api.Order(1)
  void everyMetricTheDashboardAndAlertsReadIsExported() throws Exception {
    consul.http("PUT", "/v1/agent/service/register",
        "{\"ID\":\"metrics-1\",\"Name\":\"metrics-demo\",\"Address\":\"127.0.0.1\",\"Port\":" + demo1.port() + "}");
    gateway.apply("""
        clusters:
          - {name: discovered, discovery: {consul: {service: metrics-demo}}}
        authPolicies:
          - name: keys
            apiKeys: {keys: [{name: k, sha256: b451cd024ce577385e4d3d6559ac2ed3be36b784331ada676fd0e814835920cf}]}
        rateLimitPolicies:
          - {name: limited, domain: metrics, requestDescriptors: [{entries: [{remoteAddress: {}}]}],
             descriptors: [{key: remote_address, limit: {requests: 1, window: 1m}}], timeout: 250ms}
        gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: ${LISTENER_PORT}}]}]
        routes:
          - {name: open, gateway: edge, rules: [{matches: [{path: {value: /metrics-open}}], backendRefs: [{cluster: discovered}]}]}
          - {name: keyed, gateway: edge, authPolicy: keys, rules: [{matches: [{path: {value: /metrics-keyed}}], backendRefs: [{cluster: discovered}]}]}
          - {name: limited, gateway: edge, rateLimitPolicy: limited, rules: [{matches: [{path: {value: /metrics-limited}}], backendRefs: [{cluster: discovered}]}]}
        """);
    Gateway.await(() -> status("/metrics-open") == 200, java.time.Duration.ofSeconds(20), "the Consul-discovered route answers");
    assertThat(status("/metrics-keyed")).isEqualTo(401);
    status("/metrics-limited");
    status("/metrics-limited");

    scrape("http://127.0.0.1:" + admin.port() + "/api/v1/proxies", ADMIN_TOKEN); // the request timer registers at its first request
    java.util.Set<String> exported = new java.util.TreeSet<>();
    exported.addAll(sampleNames(scrape("http://127.0.0.1:" + gateway.controlPlane().statusPort() + "/metrics", null)));
    exported.addAll(sampleNames(scrape("http://127.0.0.1:" + gateway.auth().statusPort() + "/metrics", null)));
    exported.addAll(sampleNames(scrape("http://127.0.0.1:" + gateway.rateLimit().statusPort() + "/metrics", null)));
    exported.addAll(sampleNames(scrape("http://127.0.0.1:" + admin.port() + "/metrics", ADMIN_TOKEN)));
    exported.addAll(sampleNames(gateway.envoy().admin("/stats/prometheus")));

    java.util.Set<String> read = MonitoringFiles.metricNames();
    java.util.Set<String> missing = new java.util.TreeSet<>(read);
    missing.removeAll(exported);
    missing.removeAll(PROMETHEUS_OWN);
    missing.removeAll(EXPORTED_ONLY_ON_FAILURE.keySet());
    System.out.printf("monitoring: %d metric names read by the dashboard and rules, %d exported by the stack, %d only on failure%n",
        read.size(), exported.size(), EXPORTED_ONLY_ON_FAILURE.size());
    assertThat(missing).as("metrics the dashboard or rules read that no service exports").isEmpty();
    assertThat(read).as("entries of EXPORTED_ONLY_ON_FAILURE that nothing reads any more").containsAll(EXPORTED_ONLY_ON_FAILURE.keySet());
    String sources = mainSources();
    for (Map.Entry<String, String> lazy : EXPORTED_ONLY_ON_FAILURE.entrySet()) {
      assertThat(sources).as("%s is registered by the code as %s", lazy.getKey(), lazy.getValue()).contains("\"" + lazy.getValue() + "\"");
    }
  }

  private int status(String path) {
    try {
      return gateway.get(path, Map.of()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static String scrape(String url, String token) throws Exception {
    java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url).isEqualTo(200);
    return response.body();
  }

  /** Sample names of a Prometheus text exposition ({@code name{labels} value} and {@code name value} lines). */
  private static java.util.Set<String> sampleNames(String exposition) {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (String line : exposition.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  private static String mainSources() throws java.io.IOException {
    StringBuilder all = new StringBuilder();
    for (String module : List.of("control-plane", "admin-api", "auth-service", "ratelimit-service", "discovery", "config-store")) {
      try (Stream<Path> files = Files.walk(RepoPaths.root().resolve(module).resolve("src/main/java"))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          all.append(Files.readString(file));
        }
      }
    }
    return all.toString();
  }

  private void awaitLatestRevision() throws InterruptedException {
    long revision = gateway.store().latestRevision();
    try {
      gateway.awaitServed(revision);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; proxies: " + gateway.controlPlane().proxies().proxies()
          + "; Envoy's log:\n" + gateway.envoy().logTail(40), e);
    }
  }

  @AfterAll
  void stopStack() throws Exception {
    try (AutoCloseable t = collector; AutoCloseable c = consul; AutoCloseable a = demo1; AutoCloseable b = demo2; AutoCloseable g = gateway;
        AutoCloseable d = adminDataSource; AutoCloseable s = admin) {
      // closed in reverse order
    }
  }

  @Test
  void everyMarkedExampleInTheDocsWorks(@TempDir Path work) throws Exception {
    Path docs = RepoPaths.root().resolve("docs");
    List<Path> pages;
    try (Stream<Path> walk = Files.walk(docs)) {
      pages = walk.filter(p -> p.toString().endsWith(".md")).sorted().toList();
    }
    List<String> failures = new ArrayList<>();
    List<String> replayed = new ArrayList<>();
    int stepCount = 0;
    for (Path page : pages) {
      List<DocStep> steps;
      try {
        steps = extractor.steps(RepoPaths.root().relativize(page), Files.readString(page));
      } catch (DocExampleException e) {
        failures.add(e.getMessage());
        continue;
      }
      if (steps.isEmpty()) {
        continue;
      }
      replayed.add(docs.relativize(page).toString());
      stepCount += steps.size();
      emptyConfig();
      Path dir = Files.createDirectories(work.resolve(docs.relativize(page).toString().replace('/', '_')));
      long started = System.nanoTime();
      Optional<DocExampleRunner.Failure> failure = runner.run(steps, dir);
      System.out.printf("docs test: %s, %d steps, %s in %d ms%n", docs.relativize(page), steps.size(),
          failure.isEmpty() ? "passed" : "FAILED", (System.nanoTime() - started) / 1_000_000);
      failure.ifPresent(f -> failures.add(f.toString()));
    }
    System.out.printf("docs test: %d pages, %d steps replayed%n", replayed.size(), stepCount);
    assertThat(failures).as("docs examples that do not work").isEmpty();
    assertThat(replayed).containsAll(PAGES_WITH_EXAMPLES);
  }

  /** The runner against the same stack, on examples broken in each way a page can break. */
  @Test
  void aBrokenExampleFailsAtItsLine(@TempDir Path work) throws Exception {
    emptyConfig();
    String page = """
        <!-- docs-test: file bad.yaml -->
        ```yaml
        clusters:
          - {name: app, discovery: {static: {endpoints: [{address: 127.0.0.1, port: 8088}]}}, colour: blue}
        ```
        <!-- docs-test: run -->
        ```sh
        bin/embassyctl apply -f bad.yaml
        ```
        """;
    assertFailsAt(page, 8, "exited 1, the page expects 0", work.resolve("a"));

    String wrongHeader = """
        <!-- docs-test: file app.yaml -->
        ```yaml
        clusters: [{name: app, discovery: {static: {endpoints: [{address: 127.0.0.1, port: 8088}]}}}]
        gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: 10000}]}]
        routes: [{name: app, gateway: edge, rules: [{matches: [{path: {type: PathPrefix, value: /app}}], backendRefs: [{cluster: app}]}]}]
        ```
        <!-- docs-test: run -->
        ```sh
        bin/embassyctl apply -f app.yaml
        curl -i http://127.0.0.1:10000/app   # expect 200; x-backend: demo-1
        curl -i http://127.0.0.1:10000/app   # expect 200; x-backend: demo-2
        ```
        """;
    assertFailsAt(wrongHeader, 11, "x-backend: demo-1, the page expects demo-2", work.resolve("c"));

    String missingRoute = """
        <!-- docs-test: run -->
        ```sh
        curl -i http://127.0.0.1:10000/not-routed   # expect 200
        ```
        """;
    assertFailsAt(missingRoute, 3, "status 404, the page expects 200", work.resolve("b")); // /app is routed, this is not
  }

  private void assertFailsAt(String markdown, int line, String problem, Path dir) throws Exception {
    Files.createDirectories(dir);
    Optional<DocExampleRunner.Failure> failure = runner.run(extractor.steps(Path.of("broken.md"), markdown), dir);
    assertThat(failure).as("a broken example must fail").isPresent();
    System.out.println("docs test, broken example: " + failure.get().toString().lines().findFirst().orElseThrow());
    assertThat(failure.get().at().line()).isEqualTo(line);
    assertThat(failure.get().problem()).contains(problem);
  }

  /**
   * Back to the config every page starts from: the edge gateway's listener and nothing else. The
   * gateway itself stays: removing the listener and adding it back on the next page left the Envoy
   * never reporting the page's revision as applied (see the commit message), which is not what a
   * page is about.
   */
  private void emptyConfig() throws Exception {
    ConfigDocument baseline = ConfigJson.yaml().readValue(
        "gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: " + gateway.listenerPort() + "}]}]", ConfigDocument.class);
    Optional<Long> revision = gateway.store().apply(baseline, true, false, "docs-test", "page baseline").revision().map(r -> r.id());
    if (revision.isPresent()) {
      gateway.awaitServed(revision.get());
    }
  }
}
