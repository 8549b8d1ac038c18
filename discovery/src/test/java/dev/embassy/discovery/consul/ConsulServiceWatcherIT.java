package dev.embassy.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.embassy.discovery.CheckStatus;
import dev.embassy.discovery.HealthCheck;
import dev.embassy.discovery.InstanceHealth;
import dev.embassy.discovery.InstanceMetadata;
import dev.embassy.discovery.Registration;
import dev.embassy.discovery.ServiceInstance;
import dev.embassy.discovery.ServiceQuery;
import dev.embassy.discovery.WatchHandle;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.ConsulAgent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The watcher and the registry against a real {@code consul agent -dev}. */
@SuppressWarnings("try") // handles opened only to be closed at the end of the block
class ConsulServiceWatcherIT {
  private static ConsulAgent consul;
  private static ConsulConnection connection;
  private static ConsulServiceWatcher watcher;
  private static ConsulServiceRegistry registry;

  @BeforeAll
  static void start() {
    consul = ConsulAgent.start();
    ConsulDiscoveryConfig config = ConsulDiscoveryConfig.defaults(consul.httpAddress());
    connection = new ConsulConnection(config);
    watcher = ConsulServiceWatcher.on(connection, config, new SimpleMeterRegistry());
    registry = new ConsulServiceRegistry(connection);
  }

  @AfterAll
  static void stop() {
    if (watcher != null) {
      watcher.close();
      connection.close();
    }
    if (consul != null) {
      consul.close();
    }
  }

  @Test
  void registeredInstancesAreDeliveredAndADeregisteredOneLeaves() {
    register("orders", "orders-1", 9001, "passing");
    register("orders", "orders-2", 9002, "passing");
    RecordingListener listener = new RecordingListener();
    try (WatchHandle ignored = watcher.watch(ServiceQuery.of("orders"), listener)) {
      Eventually.until("both instances", () -> listener.latestIds().equals(List.of("orders-1", "orders-2")));
      ServiceInstance first = listener.latest().getFirst();
      assertThat(first.service()).isEqualTo("orders");
      assertThat(first.address()).isEqualTo("127.0.0.1");
      assertThat(first.port()).isEqualTo(9001);
      assertThat(first.node()).isEqualTo("embassy-test");
      assertThat(first.datacenter()).isEqualTo("dc1");
      assertThat(first.serviceMeta()).containsEntry(InstanceMetadata.WEIGHT, "3");
      assertThat(InstanceMetadata.weight(first)).hasValue(3);

      consul.http("PUT", "/v1/agent/service/deregister/orders-2", null);
      Eventually.until("one instance", () -> listener.latestIds().equals(List.of("orders-1")));
    }
    assertThat(listener.calls()).noneMatch(call -> call.instances().isEmpty());
  }

  @Test
  void aTtlCheckTurningCriticalRemovesTheInstanceQuickly() {
    register("payments", "payments-1", 9011, "passing");
    register("payments", "payments-2", 9012, "passing");
    RecordingListener listener = new RecordingListener();
    List<Long> removals = new ArrayList<>();
    List<Long> returns = new ArrayList<>();
    try (WatchHandle ignored = watcher.watch(ServiceQuery.of("payments"), listener)) {
      Eventually.until("both instances", () -> listener.latestIds().size() == 2);
      for (int flip = 0; flip < 10; flip++) {
        long failed = System.nanoTime();
        consul.http("PUT", "/v1/agent/check/fail/service:payments-2", null);
        // The control plane must take it out of Envoy within 1 s end to end; discovery's share is far less.
        Eventually.until("payments-2 leaves", Duration.ofSeconds(1), () -> listener.latestIds().equals(List.of("payments-1")));
        removals.add(listener.calls().getLast().nanos() - failed);

        long passed = System.nanoTime();
        consul.http("PUT", "/v1/agent/check/pass/service:payments-2", null);
        Eventually.until("payments-2 returns", Duration.ofSeconds(1), () -> listener.latestIds().size() == 2);
        returns.add(listener.calls().getLast().nanos() - passed);
      }
    }
    System.out.printf("TTL fail -> listener: median %.1f ms, max %.1f ms; pass -> listener: median %.1f ms, max %.1f ms (10 flips)%n",
        medianMillis(removals), maxMillis(removals), medianMillis(returns), maxMillis(returns));
  }

  @Test
  void warningInstancesAreReportedDegradedOnlyToQueriesThatAskForThem() {
    register("search", "search-1", 9021, "passing");
    RecordingListener passingOnly = new RecordingListener();
    RecordingListener withWarning = new RecordingListener();
    try (WatchHandle a = watcher.watch(ServiceQuery.of("search"), passingOnly);
        WatchHandle b = watcher.watch(new ServiceQuery("search", List.of(), Optional.empty(), Map.of(), true), withWarning)) {
      Eventually.until("both see it", () -> passingOnly.latest().size() == 1 && withWarning.latest().size() == 1);
      assertThat(withWarning.latest().getFirst().health()).isEqualTo(InstanceHealth.PASSING);

      consul.http("PUT", "/v1/agent/check/warn/service:search-1", null);
      Eventually.until("warning reported as such", () -> withWarning.latest().size() == 1
          && withWarning.latest().getFirst().health() == InstanceHealth.WARNING);
      Eventually.until("gone from the passing-only query", () -> passingOnly.calls().getLast().instances().isEmpty());

      consul.http("PUT", "/v1/agent/check/fail/service:search-1", null);
      Eventually.until("critical is never reported", () -> withWarning.calls().getLast().instances().isEmpty());
    }
  }

  @Test
  void tagsNodeMetaAndDatacenterFilter() {
    register("inventory", "inventory-1", 9031, "passing", List.of("v1", "canary"));
    register("inventory", "inventory-2", 9032, "passing", List.of("v1"));
    // A second node, in the catalog directly, with locality in its meta and no service address.
    consul.http("PUT", "/v1/catalog/register", """
        {"Node": "node-z", "Address": "10.1.1.1", "NodeMeta": {"embassy-region": "eu", "embassy-zone": "z1"},
         "Service": {"ID": "inventory-3", "Service": "inventory", "Tags": ["v1", "canary"], "Port": 9033}}""");

    RecordingListener canary = new RecordingListener();
    RecordingListener zoneZ1 = new RecordingListener();
    RecordingListener otherDc = new RecordingListener();
    try (WatchHandle a = watcher.watch(new ServiceQuery("inventory", List.of("canary", "v1"), Optional.empty(), Map.of(), false), canary);
        WatchHandle b = watcher.watch(new ServiceQuery("inventory", List.of(), Optional.empty(), Map.of("embassy-zone", "z1"), false), zoneZ1);
        WatchHandle c = watcher.watch(new ServiceQuery("inventory", List.of(), Optional.of("dc1"), Map.of(), false), otherDc)) {
      Eventually.until("tags filter", () -> canary.latestIds().equals(List.of("inventory-1", "inventory-3")));
      Eventually.until("node meta filter", () -> zoneZ1.latestIds().equals(List.of("inventory-3")));
      Eventually.until("explicit datacenter", () -> otherDc.latestIds().size() == 3);
      ServiceInstance remote = zoneZ1.latest().getFirst();
      assertThat(remote.address()).isEqualTo("10.1.1.1");
      assertThat(remote.node()).isEqualTo("node-z");
      assertThat(InstanceMetadata.region(remote)).contains("eu");
      assertThat(InstanceMetadata.zone(remote)).contains("z1");
    }
  }

  @Test
  void theCatalogWatchNoticesAServiceThatAppearsLater() {
    Eventually.until("catalog known", () -> watcher.knownServices().contains("consul"));
    assertThat(watcher.knownServices()).doesNotContain("late-comer");
    register("late-comer", "late-comer-1", 9041, "passing");
    Eventually.until("late-comer in the catalog", () -> watcher.knownServices().contains("late-comer"));
  }

  @Test
  void aWatchOfAServiceThatDoesNotExistYetDeliversItWhenItAppears() {
    RecordingListener listener = new RecordingListener();
    try (WatchHandle ignored = watcher.watch(ServiceQuery.of("not-yet"), listener)) {
      Eventually.until("the registry's empty answer", () -> listener.calls().size() == 1);
      assertThat(listener.latest()).isEmpty();
      register("not-yet", "not-yet-1", 9051, "passing");
      Eventually.until("it appears", () -> listener.latestIds().equals(List.of("not-yet-1")));
    }
  }

  @Test
  void closingTheLastHandleStopsTheBlockingQuery() {
    register("billing", "billing-1", 9061, "passing");
    Eventually.until("idle: only the catalog query blocks", () -> watcher.blockingQueries() == 1);
    RecordingListener first = new RecordingListener();
    RecordingListener second = new RecordingListener();
    WatchHandle a = watcher.watch(ServiceQuery.of("billing"), first);
    WatchHandle b = watcher.watch(ServiceQuery.of("billing"), second);
    Eventually.until("both listeners served", () -> first.calls().size() == 1 && second.calls().size() == 1);
    Eventually.until("one shared blocking query", () -> watcher.blockingQueries() == 2);

    a.close();
    assertThat(watcher.health().watches()).extracting(s -> s.query().orElseThrow().service()).containsExactly("billing");
    b.close();
    Eventually.until("the blocking query is gone", Duration.ofSeconds(2), () -> watcher.blockingQueries() == 1);
    assertThat(watcher.health().watches()).isEmpty();

    // And nobody is called any more.
    consul.http("PUT", "/v1/agent/service/deregister/billing-1", null);
    register("billing", "billing-2", 9062, "passing");
    Eventually.until("catalog saw the change", () -> watcher.knownServices().contains("billing"));
    assertThat(first.calls()).hasSize(1);
    assertThat(second.calls()).hasSize(1);
  }

  @Test
  void theRegistryRegistersWithATtlCheckAndDeregisters() {
    RecordingListener listener = new RecordingListener();
    try (WatchHandle ignored = watcher.watch(ServiceQuery.of("ratelimit"), listener)) {
      registry.register(
          new Registration("ratelimit-a", "ratelimit", "127.0.0.1", 8081, List.of("peer"), Map.of("embassy-node", "a"),
              Optional.of(new HealthCheck.Ttl(Duration.ofSeconds(30), CheckStatus.CRITICAL, Optional.of(Duration.ofMinutes(1))))));
      Eventually.until("registered, critical until it reports", () -> listener.calls().size() == 1);
      assertThat(listener.latest()).isEmpty();

      registry.updateTtl("ratelimit-a", CheckStatus.PASSING, "serving");
      Eventually.until("passing", () -> listener.latestIds().equals(List.of("ratelimit-a")));
      ServiceInstance instance = listener.latest().getFirst();
      assertThat(instance.port()).isEqualTo(8081);
      assertThat(instance.tags()).containsExactly("peer");
      assertThat(instance.serviceMeta()).containsEntry("embassy-node", "a");

      registry.deregister("ratelimit-a");
      Eventually.until("deregistered", () -> listener.latest().isEmpty());
      registry.deregister("ratelimit-a"); // already gone: not an error
    }
  }

  @Test
  void theRegistryRegistersWithAnHttpCheckThatConsulRuns() throws Exception {
    AtomicInteger status = new AtomicInteger(200);
    HttpServer health = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.one()), 0);
    health.createContext("/healthz", exchange -> {
      exchange.sendResponseHeaders(status.get(), -1);
      exchange.close();
    });
    health.start();
    RecordingListener listener = new RecordingListener();
    try (WatchHandle ignored = watcher.watch(ServiceQuery.of("checked"), listener)) {
      URI url = URI.create("http://127.0.0.1:" + health.getAddress().getPort() + "/healthz");
      registry.register(
          new Registration("checked-1", "checked", "127.0.0.1", health.getAddress().getPort(), List.of(), Map.of(),
              Optional.of(new HealthCheck.Http(url, Duration.ofSeconds(1), Duration.ofMillis(500), Optional.empty()))));
      Eventually.until("the agent's check passes", () -> listener.latestIds().equals(List.of("checked-1")));

      status.set(500);
      Eventually.until("the check fails and the instance leaves", Duration.ofSeconds(5), () -> listener.latest().isEmpty());
      status.set(200);
      Eventually.until("back", Duration.ofSeconds(5), () -> listener.latestIds().equals(List.of("checked-1")));
      registry.deregister("checked-1");
    } finally {
      health.stop(0);
    }
  }

  private static void register(String service, String id, int port, String status) {
    register(service, id, port, status, List.of());
  }

  private static void register(String service, String id, int port, String status, List<String> tags) {
    String tagJson = tags.stream().map(t -> "\"" + t + "\"").reduce((x, y) -> x + "," + y).orElse("");
    consul.http("PUT", "/v1/agent/service/register", """
        {"Name": "%s", "ID": "%s", "Address": "127.0.0.1", "Port": %d, "Tags": [%s], "Meta": {"embassy-weight": "3"},
         "Check": {"TTL": "10m", "Status": "%s"}}""".formatted(service, id, port, tagJson, status));
  }

  static double medianMillis(List<Long> nanos) {
    List<Long> sorted = nanos.stream().sorted().toList();
    return sorted.get(sorted.size() / 2) / 1e6;
  }

  static double maxMillis(List<Long> nanos) {
    return nanos.stream().mapToLong(Long::longValue).max().orElse(0) / 1e6;
  }
}
