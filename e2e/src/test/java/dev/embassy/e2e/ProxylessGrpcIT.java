package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.admin.auth.AdminTokens;
import dev.embassy.admin.http.AdminHttpServer;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.controlplane.ControlPlane;
import dev.embassy.controlplane.ControlPlaneConfig;
import dev.embassy.testsupport.ConsulAgent;
import dev.embassy.testsupport.DocSnippets;
import dev.embassy.testsupport.GreeterBackend;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import dev.embassy.testsupport.greeter.v1.GreeterGrpc;
import dev.embassy.testsupport.greeter.v1.HelloRequest;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.xds.XdsNameResolverProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proxyless gRPC end to end: grpc-java's own xDS client (grpc-xds) resolves {@code xds:///greeter}
 * through the real control plane (Postgres behind it, Consul for discovery) and calls real
 * grpc-java backends, with no Envoy anywhere. Shows the 80/20 split of a weighted route, an
 * endpoint deregistered from Consul leaving the client's picks, route changes written through the
 * admin API followed live without a failed call, and the client in {@code /api/v1/proxies} and in
 * a write's {@code ?wait=} count. Prints resolve and change-to-applied times (docs/benchmarks.md).
 */
@ExtendWith(PostgresExtension.class)
class ProxylessGrpcIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final String ADMIN_TOKEN = "proxyless-grpc-it-admin-token-0123456789";
  private static final int RESOLVE_RUNS = 5;
  private static final int ROUTE_CHANGES = 6;

  @Test
  void grpcClientsFollowTheControlPlane(TestDatabase database) throws Exception {
    try (ConsulAgent consul = ConsulAgent.start();
        GreeterBackend v1a = GreeterBackend.start("v1a");
        GreeterBackend v1b = GreeterBackend.start("v1b");
        GreeterBackend v2 = GreeterBackend.start("v2");
        GreeterBackend v3 = GreeterBackend.start("v3");
        HikariDataSource dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4)) {
      register(consul, "v1a", v1a.port());
      register(consul, "v1b", v1b.port());
      ConfigSchema.migrate(dataSource);
      new AdminTokens(dataSource).installBootstrap(ADMIN_TOKEN, "proxyless-it");
      // The example docs/guides/mesh.md shows, with the backends' ports filled in.
      String config = DocSnippets.block("guides/mesh.md", "proxyless-config")
          .replace("port: 50052", "port: " + v2.port())
          .replace("port: 50053", "port: " + v3.port());
      new ConfigStore(dataSource).apply(ConfigJson.yaml().readValue(config, ConfigDocument.class), true, false, "it", "seed");

      ControlPlaneConfig settings = ControlPlaneConfig.fromEnvironment(Map.of(
          "EMBASSY_XDS_PORT", "0", "EMBASSY_STATUS_PORT", "0", "EMBASSY_LISTENER_ADDRESS", "127.0.0.1", "EMBASSY_REPLICA_ID", "proxyless-it",
          "EMBASSY_CONSUL_ADDRESS", consul.httpAddress().toString()));
      try (ControlPlane controlPlane = ControlPlane.start(settings, dataSource, "proxyless-it");
          AdminHttpServer admin = AdminHttpServer.start("127.0.0.1", 0, dataSource)) {
        Map<String, ?> bootstrap = bootstrap(controlPlane.xdsPort(), "proxyless-it-client", "apps");

        // Resolve: channel created to first successful call, a fresh xDS client each time.
        List<Long> resolveMillis = new ArrayList<>();
        for (int run = 0; run < RESOLVE_RUNS; run++) {
          long created = System.nanoTime();
          ManagedChannel channel = channel(bootstrap);
          try {
            String backend = awaitFirstReply(channel, Duration.ofSeconds(30));
            resolveMillis.add((System.nanoTime() - created) / 1_000_000);
            assertThat(backend).isIn("v1a", "v1b", "v2");
          } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
          }
        }

        ManagedChannel channel = channel(bootstrap);
        try {
          GreeterGrpc.GreeterBlockingStub greeter = GreeterGrpc.newBlockingStub(channel);
          awaitFirstReply(channel, Duration.ofSeconds(30));

          // (a) The weighted split: 80/20 between the Consul cluster and the static one.
          Map<String, Integer> counts = new TreeMap<>();
          int calls = 1000;
          for (int i = 0; i < calls; i++) {
            counts.merge(call(greeter), 1, Integer::sum);
          }
          double v2Share = counts.getOrDefault("v2", 0) / (double) calls;
          System.out.printf("proxyless: weighted split over %d calls: %s (v2 %.1f%%)%n", calls, counts, v2Share * 100);
          assertThat(v2Share).as("share of v2 (weight 20 of 100): " + counts).isBetween(0.15, 0.25);
          assertThat(counts.getOrDefault("v1a", 0)).as("v1a, from Consul").isGreaterThan(0);
          assertThat(counts.getOrDefault("v1b", 0)).as("v1b, from Consul").isGreaterThan(0);

          // (d) The client is a proxy like any Envoy: listed, and running the seeded revision.
          await(() -> proxies(admin).stream().anyMatch(p -> p.path("proxyId").asText().equals("proxyless-it-client")
              && p.path("nodeGroup").asText().equals("apps") && p.path("appliedRevision").asLong() > 0),
              Duration.ofSeconds(20), "the gRPC client is listed with its applied revision: " + proxies(admin));

          try (Calls traffic = Calls.start(greeter)) {
            traffic.awaitCalls(200, Duration.ofSeconds(10));

            // (c) An instance deregistered from Consul stops receiving calls.
            consul.http("PUT", "/v1/agent/service/deregister/v1b", null);
            long deregistered = System.nanoTime();
            // Gone once v1a alone has answered 50 of the Consul cluster's calls in a row since v1b last did.
            await(() -> traffic.callsTo("v1a", Math.max(deregistered, traffic.lastBackendAt("v1b"))) >= 50,
                Duration.ofSeconds(10), "v1b leaves the client's picks");
            int v1bCalls = v1b.calls();
            traffic.awaitCalls(traffic.total() + 300, Duration.ofSeconds(10));
            assertThat(v1b.calls()).as("calls v1b answered after it left Consul and the client let go of it").isEqualTo(v1bCalls);
            System.out.printf("proxyless: Consul deregistration to v1b's last call: %d ms%n",
                (traffic.lastBackendAt("v1b") - deregistered) / 1_000_000);

            // (b) Route changes through the admin API, followed live: all calls to one new cluster.
            List<Long> appliedMillis = new ArrayList<>();
            for (int change = 0; change < ROUTE_CHANGES; change++) {
              String target = change % 2 == 0 ? "v3" : "v2";
              long written = System.nanoTime();
              HttpResponse<String> put = putRoute(admin, "greeter-" + target);
              assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
              // ?wait= counted the gRPC client among the proxies running the new revision.
              assertThat(put.headers().firstValue("Embassy-Applied")).as(put.body()).hasValue("1/1");
              await(() -> traffic.firstBackendAfter(target, written) > 0, Duration.ofSeconds(10), "calls reach " + target);
              appliedMillis.add((traffic.firstBackendAfter(target, written) - written) / 1_000_000);
              // From 50 ms after the first call on the new route, 100 calls: all on it.
              long settled = traffic.firstBackendAfter(target, written) + TimeUnit.MILLISECONDS.toNanos(50);
              await(() -> traffic.backendsAfter(settled).values().stream().mapToLong(Long::longValue).sum() >= 100,
                  Duration.ofSeconds(10), "100 calls after the change");
              assertThat(traffic.backendsAfter(settled).keySet()).as("only " + target + " once applied").containsOnly(target);
            }
            assertThat(traffic.failures()).as("failed calls through deregistration and route changes: " + traffic.failureSample()).isZero();
            System.out.printf("proxyless: resolve (channel to first reply) ms, %d runs: %s, median %d; route change written to first "
                    + "call on the new route ms, %d changes: %s, median %d; %d calls, %d failed%n",
                RESOLVE_RUNS, resolveMillis, median(resolveMillis), ROUTE_CHANGES, appliedMillis, median(appliedMillis),
                traffic.total(), traffic.failures());
          }
          // What a gRPC client would ignore or NACK is refused at the field, and nothing changes.
          String before = getRoute(admin);
          assertRefused(putRouteBody(admin, """
              {"name": "greeter", "gateway": "mesh", "listener": "greeter",
               "rules": [{"filters": [{"type": "RequestRedirect", "requestRedirect": {"hostname": "elsewhere"}}]}]}
              """), "/rules/0/filters/0/type", "RequestRedirect is not applied by gRPC's xDS client");
          assertRefused(putRouteBody(admin, """
              {"name": "greeter", "gateway": "mesh", "listener": "nope", "rules": [{"backendRefs": [{"cluster": "greeter-v2"}]}]}
              """), "/listener", "gateway mesh has no listener nope");
          assertRefused(putRouteBody(admin, """
              {"name": "greeter", "gateway": "mesh", "listener": "greeter", "rules": [{"backendRefs": [{"cluster": "missing"}]}]}
              """), "/rules/0/backendRefs/0/cluster", "refers to clusters/missing, which does not exist");
          assertThat(getRoute(admin)).as("the stored route after the refused writes").isEqualTo(before);
          assertThat(call(greeter)).as("still served as before").isEqualTo(ROUTE_CHANGES % 2 == 0 ? "v2" : "v3");

          assertThat(controlPlane.proxies().proxies()).as("no NACK from the gRPC client")
              .allSatisfy(p -> assertThat(p.lastNack()).isEmpty());
        } finally {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  /**
   * The rest of what a gRPC client is served, shown by calls: header matches, ring-hash affinity by
   * a header (A42), retries on UNAVAILABLE (A44, counted at the backend), fault aborts and delays
   * (A33) and the request timeout as max_stream_duration (A31).
   */
  @Test
  void grpcClientsApplyMatchesAffinityRetriesFaultsAndDeadlines(TestDatabase database) throws Exception {
    // Answers after 2 s: what a route timeout must cut short.
    io.grpc.Server slow = io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder
        .forAddress(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))
        .addService(new GreeterGrpc.GreeterImplBase() {
          @Override
          public void sayHello(HelloRequest request, io.grpc.stub.StreamObserver<dev.embassy.testsupport.greeter.v1.HelloReply> reply) {
            try {
              Thread.sleep(2_000);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            reply.onNext(dev.embassy.testsupport.greeter.v1.HelloReply.newBuilder().setBackend("slow").build());
            reply.onCompleted();
          }
        }).build().start();
    try (GreeterBackend a1 = GreeterBackend.start("a1");
        GreeterBackend a2 = GreeterBackend.start("a2");
        GreeterBackend canary = GreeterBackend.start("canary");
        HikariDataSource dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4)) {
      ConfigSchema.migrate(dataSource);
      String greeter = "/embassy.test.greeter.v1.Greeter/";
      new ConfigStore(dataSource).apply(ConfigJson.yaml().readValue("""
          clusters:
            # Accepted by the client (no NACK below); their effect is not what this test shows.
            - {name: a, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %1$d}]}}, circuitBreaker: {maxRequests: 1000},
               outlierDetection: {interval: 10s, failurePercentage: {threshold: 90, minimumHosts: 1, requestVolume: 1000}}}
            - {name: canary, lbPolicy: LEAST_REQUEST, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %3$d}]}}}
            - {name: slow, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %5$d}]}}}
            - {name: sticky, lbPolicy: RING_HASH,
               discovery: {static: {endpoints: [{address: 127.0.0.1, port: %1$d}, {address: 127.0.0.1, port: %2$d}]}}}
          gateways: [{name: mesh, nodeGroup: features, proxyless: {services: [greeter]}}]
          routes:
            - name: greeter
              gateway: mesh
              rules:
                - matches: [{path: {type: Exact, value: %4$sSayHello}, headers: [{name: x-canary, value: "yes"}]}]
                  backendRefs: [{cluster: canary}]
                - matches: [{path: {type: Exact, value: %4$sSayHello}, headers: [{name: x-user, type: RegularExpression, value: "u[0-9]+"}]}]
                  backendRefs: [{cluster: sticky}]
                  sessionAffinity: {type: Header, header: x-user}
                - matches: [{path: {type: Exact, value: %4$sSayHello}, headers: [{name: x-fault, value: abort}]}]
                  backendRefs: [{cluster: a}]
                  filters: [{type: FaultInjection, faultInjection: {abort: {status: 503, percent: 100}}}]
                - matches: [{path: {type: Exact, value: %4$sSayHello}, headers: [{name: x-fault, value: delay}]}]
                  backendRefs: [{cluster: a}]
                  filters: [{type: FaultInjection, faultInjection: {delay: {duration: 400ms, percent: 100}}}]
                - matches: [{path: {type: Exact, value: %4$sSayHello}, headers: [{name: x-slow, value: "yes"}]}]
                  backendRefs: [{cluster: slow}]
                  timeouts: {request: 300ms}
                - matches: [{path: {type: Exact, value: %4$sFail}}]
                  backendRefs: [{cluster: a}]
                  retry: {attempts: 2, backoff: 10ms}
                - matches: [{path: {type: PathPrefix, value: /embassy.test.greeter.v1.Greeter}}]
                  backendRefs: [{cluster: a}]
          """.formatted(a1.port(), a2.port(), canary.port(), greeter, slow.getPort()), ConfigDocument.class), true, false, "it", "seed");
      ControlPlaneConfig settings = ControlPlaneConfig.fromEnvironment(Map.of(
          "EMBASSY_XDS_PORT", "0", "EMBASSY_STATUS_PORT", "0", "EMBASSY_LISTENER_ADDRESS", "127.0.0.1", "EMBASSY_REPLICA_ID", "proxyless-features"));
      try (ControlPlane controlPlane = ControlPlane.start(settings, dataSource, "proxyless-features")) {
        ManagedChannel channel = channel(bootstrap(controlPlane.xdsPort(), "proxyless-features-client", "features"));
        try {
          awaitFirstReply(channel, Duration.ofSeconds(30));
          GreeterGrpc.GreeterBlockingStub plain = GreeterGrpc.newBlockingStub(channel);
          assertThat(call(plain)).as("no header: the last rule").isEqualTo("a1");
          assertThat(call(withHeader(plain, "x-canary", "yes"))).as("header match").isEqualTo("canary");

          // Ring hash by x-user: each user keeps one backend, and the users spread over both.
          Map<String, java.util.Set<String>> backendsByUser = new TreeMap<>();
          for (int user = 0; user < 20; user++) {
            for (int i = 0; i < 5; i++) {
              backendsByUser.computeIfAbsent("u" + user, u -> new java.util.TreeSet<>()).add(call(withHeader(plain, "x-user", "u" + user)));
            }
          }
          assertThat(backendsByUser.values()).as("one backend per user: " + backendsByUser).allSatisfy(b -> assertThat(b).hasSize(1));
          assertThat(backendsByUser.values().stream().flatMap(java.util.Set::stream).distinct().count())
              .as("users over both endpoints: " + backendsByUser).isEqualTo(2);

          // Retries: UNAVAILABLE is tried 1 + 2 times at the backend, INTERNAL once.
          int before = a1.calls();
          assertThat(failCode(plain, io.grpc.Status.Code.UNAVAILABLE)).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
          assertThat(a1.calls() - before).as("attempts of a call failing UNAVAILABLE").isEqualTo(3);
          before = a1.calls();
          assertThat(failCode(plain, io.grpc.Status.Code.INTERNAL)).isEqualTo(io.grpc.Status.Code.INTERNAL);
          assertThat(a1.calls() - before).as("attempts of a call failing INTERNAL").isEqualTo(1);

          // Fault abort: answered UNAVAILABLE (HTTP 503) by the client itself, the backend untouched.
          before = a1.calls();
          assertThat(statusOf(() -> call(withHeader(plain, "x-fault", "abort")))).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
          assertThat(a1.calls()).as("an aborted call reaches no backend").isEqualTo(before);

          // Fault delay: the call is held 400 ms, then served.
          long started = System.nanoTime();
          assertThat(call(withHeader(plain, "x-fault", "delay"))).isEqualTo("a1");
          long delayedMillis = (System.nanoTime() - started) / 1_000_000;
          assertThat(delayedMillis).as("held by the fault delay").isGreaterThanOrEqualTo(400L);

          // The route's 300 ms timeout (max_stream_duration) cuts a 2 s answer short, not the call's own 5 s deadline.
          started = System.nanoTime();
          assertThat(statusOf(() -> call(withHeader(plain, "x-slow", "yes")))).isEqualTo(io.grpc.Status.Code.DEADLINE_EXCEEDED);
          long timedOutMillis = (System.nanoTime() - started) / 1_000_000;
          assertThat(timedOutMillis).as("ended by the route timeout").isBetween(250L, 1_500L);
          System.out.printf("proxyless features: affinity %s; fault-delayed call took %d ms; route timeout ended a slow call after %d ms%n",
              backendsByUser, delayedMillis, timedOutMillis);
          assertThat(controlPlane.proxies().proxies()).allSatisfy(p -> assertThat(p.lastNack()).isEmpty());
        } finally {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    } finally {
      slow.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static GreeterGrpc.GreeterBlockingStub withHeader(GreeterGrpc.GreeterBlockingStub stub, String name, String value) {
    io.grpc.Metadata headers = new io.grpc.Metadata();
    headers.put(io.grpc.Metadata.Key.of(name, io.grpc.Metadata.ASCII_STRING_MARSHALLER), value);
    return stub.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static io.grpc.Status.Code failCode(GreeterGrpc.GreeterBlockingStub stub, io.grpc.Status.Code code) {
    return statusOf(() -> stub.withDeadlineAfter(5, TimeUnit.SECONDS)
        .fail(dev.embassy.testsupport.greeter.v1.FailRequest.newBuilder().setCode(code.value()).setMessage("asked to").build()));
  }

  private static io.grpc.Status.Code statusOf(Runnable call) {
    try {
      call.run();
      return io.grpc.Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  /**
   * The mesh page's bootstrap (gRFC A27), as an application would ship it, pointed at this run's
   * ADS server and naming this client and its node group.
   */
  private static Map<String, ?> bootstrap(int xdsPort, String nodeId, String nodeGroup) throws Exception {
    ObjectNode documented =
        (ObjectNode) JSON.readTree(DocSnippets.block("guides/mesh.md", "proxyless-bootstrap"));
    ((ObjectNode) documented.path("xds_servers").get(0)).put("server_uri", "127.0.0.1:" + xdsPort);
    ((ObjectNode) documented.path("node")).put("id", nodeId).put("cluster", nodeGroup);
    @SuppressWarnings("unchecked")
    Map<String, ?> parsed = JSON.treeToValue(documented, Map.class);
    return parsed;
  }

  /**
   * A channel with its own bootstrap (no process-wide GRPC_XDS_BOOTSTRAP). Through
   * Grpc.newChannelBuilder the registry's xds resolver, which reads the global bootstrap, takes
   * precedence over nameResolverFactory; a transport's own builder honours it.
   */
  @SuppressWarnings("deprecation") // nameResolverFactory is how grpc-xds's createForTest provider is handed to one channel
  private static ManagedChannel channel(Map<String, ?> bootstrap) {
    return NettyChannelBuilder.forTarget("xds:///greeter", InsecureChannelCredentials.create())
        .nameResolverFactory(XdsNameResolverProvider.createForTest("xds", bootstrap))
        .build();
  }

  private static String awaitFirstReply(ManagedChannel channel, Duration timeout) throws InterruptedException {
    GreeterGrpc.GreeterBlockingStub greeter = GreeterGrpc.newBlockingStub(channel).withWaitForReady();
    long deadline = System.nanoTime() + timeout.toNanos();
    StatusRuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        return greeter.withDeadlineAfter(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS)
            .sayHello(HelloRequest.newBuilder().setName("resolve").build()).getBackend();
      } catch (StatusRuntimeException e) {
        last = e;
        Thread.sleep(20);
      }
    }
    throw new AssertionError("no reply through xds:///greeter", last);
  }

  private static String call(GreeterGrpc.GreeterBlockingStub greeter) {
    return greeter.withDeadlineAfter(5, TimeUnit.SECONDS).sayHello(HelloRequest.newBuilder().setName("it").build()).getBackend();
  }

  private static void register(ConsulAgent consul, String id, int port) {
    consul.http("PUT", "/v1/agent/service/register", """
        {"ID": "%s", "Name": "greeter", "Address": "127.0.0.1", "Port": %d}
        """.formatted(id, port));
  }

  private static HttpResponse<String> putRoute(AdminHttpServer admin, String cluster) throws Exception {
    return putRouteBody(admin, """
        {"name": "greeter", "gateway": "mesh", "listener": "greeter",
         "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/embassy.test.greeter.v1.Greeter"}}],
                    "backendRefs": [{"cluster": "%s"}], "timeouts": {"request": "2s"}, "retry": {"attempts": 2, "backoff": "50ms"}}]}
        """.formatted(cluster));
  }

  private static HttpResponse<String> putRouteBody(AdminHttpServer admin, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/api/v1/routes/greeter?wait=10s"))
        .header("authorization", "Bearer " + ADMIN_TOKEN).header("content-type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String getRoute(AdminHttpServer admin) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/api/v1/routes/greeter"))
        .header("authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static void assertRefused(HttpResponse<String> response, String pointer, String detail) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
    JsonNode error = JSON.readTree(response.body()).path("errors").path(0);
    assertThat(error.path("pointer").asText()).as(response.body()).isEqualTo(pointer);
    assertThat(error.path("detail").asText()).as(response.body()).startsWith(detail);
  }

  private static List<JsonNode> proxies(AdminHttpServer admin) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/api/v1/proxies"))
          .header("authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      List<JsonNode> items = new ArrayList<>();
      JSON.readTree(response.body()).path("items").forEach(items::add);
      return items;
    } catch (Exception e) {
      throw new AssertionError("GET /api/v1/proxies", e);
    }
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    Gateway.await(condition, timeout, what);
  }

  /** Calls in a loop on their own thread, one at a time, each recorded with the backend that answered and when. */
  private static final class Calls implements AutoCloseable {
    private record Reply(long at, String backend) {}

    private final ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> failed = new ConcurrentLinkedQueue<>();
    private final AtomicLong total = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    private Calls(GreeterGrpc.GreeterBlockingStub greeter) {
      thread = Thread.ofPlatform().name("proxyless-calls").start(() -> {
        while (running.get()) {
          try {
            String backend = call(greeter);
            replies.add(new Reply(System.nanoTime(), backend));
          } catch (StatusRuntimeException e) {
            failed.add(e.getStatus().toString());
          }
          total.incrementAndGet();
        }
      });
    }

    static Calls start(GreeterGrpc.GreeterBlockingStub greeter) {
      return new Calls(greeter);
    }

    long total() {
      return total.get();
    }

    int failures() {
      return failed.size();
    }

    List<String> failureSample() {
      return failed.stream().limit(5).toList();
    }

    void awaitCalls(long count, Duration timeout) throws InterruptedException {
      Gateway.await(() -> total.get() >= count, timeout, count + " calls (" + total.get() + " so far)");
    }

    /** When {@code backend} last answered; 0 if never. */
    long lastBackendAt(String backend) {
      return replies.stream().filter(r -> r.backend().equals(backend)).mapToLong(Reply::at).max().orElse(0);
    }

    long callsTo(String backend, long since) {
      return replies.stream().filter(r -> r.backend().equals(backend) && r.at() > since).count();
    }

    /** When {@code backend} first answered after {@code since}; 0 if it has not. */
    long firstBackendAfter(String backend, long since) {
      return replies.stream().filter(r -> r.backend().equals(backend) && r.at() > since).mapToLong(Reply::at).min().orElse(0);
    }

    /** Backend → calls it answered after {@code since}. */
    Map<String, Long> backendsAfter(long since) {
      Map<String, Long> backends = new TreeMap<>();
      replies.stream().filter(r -> r.at() > since).forEach(r -> backends.merge(r.backend(), 1L, Long::sum));
      return backends;
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }
}
