package dev.embassy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's services in a real Consul agent: {@code services} services named {@code svc-N}
 * with {@value #INSTANCES} instances each, of which instance 0 carries a TTL check the benchmark
 * flips between critical and passing. Also reads the service's health the way a watch does, to
 * time Consul's own share of a flip from outside the control plane.
 */
final class ConsulFleet {
  static final int INSTANCES = 10;
  /** The node name test-support's dev agent runs as. */
  private static final String AGENT_NODE = "embassy-test";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI consul;
  private final int services;

  private ConsulFleet(URI consul, int services) {
    this.consul = consul;
    this.services = services;
  }

  /** Registers every instance and waits until the catalog holds every service. */
  static ConsulFleet register(URI consul, int services) throws Exception {
    ConsulFleet fleet = new ConsulFleet(consul, services);
    fleet.registerAll();
    fleet.awaitCatalog();
    return fleet;
  }

  static String service(int s) {
    return "svc-" + s;
  }

  /** The address of instance 0 of service {@code s}, the one whose check flips. */
  static String flippingAddress(int s) {
    return "10.%d.%d.1".formatted(s / 250, s % 250);
  }

  int services() {
    return services;
  }

  /** Sets the TTL check of instance 0 of service {@code s}; returns when Consul has answered. */
  void check(int s, boolean passing) throws Exception {
    put("/v1/agent/check/" + (passing ? "pass" : "fail") + "/service:" + service(s) + "-0", "");
  }

  /** Consul's current index of the passing instances of service {@code s}. */
  long healthIndex(int s) throws Exception {
    HttpResponse<String> response = get("/v1/health/service/" + service(s) + "?passing");
    return Long.parseLong(response.headers().firstValue("X-Consul-Index").orElseThrow());
  }

  /**
   * A blocking query on service {@code s}'s passing instances from {@code index}, repeated until
   * Consul answers with {@code expected} instances: completes with {@link System#nanoTime()} at
   * that answer. This is what the control plane's watch of the service sees, over its own
   * connection, so it times Consul's share of a flip (the agent's sync to the catalog and the
   * blocking query's wake-up).
   */
  CompletableFuture<Long> awaitPassing(int s, long index, int expected) {
    CompletableFuture<Long> answered = new CompletableFuture<>();
    Thread.ofVirtual().name("consul-probe " + service(s)).start(() -> {
      try {
        long from = index;
        while (!answered.isDone()) {
          HttpResponse<String> response = get("/v1/health/service/" + service(s) + "?passing&wait=30s&index=" + from);
          long at = System.nanoTime();
          if (JSON.readTree(response.body()).size() == expected) {
            answered.complete(at);
          }
          from = Long.parseLong(response.headers().firstValue("X-Consul-Index").orElseThrow());
        }
      } catch (Exception e) {
        answered.completeExceptionally(e);
      }
    });
    return answered;
  }

  private void registerAll() throws Exception {
    Semaphore parallel = new Semaphore(32);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int s = 0; s < services; s++) {
        for (int i = 0; i < INSTANCES; i++) {
          // Instance 0 of each service is registered with the agent, with a TTL check the
          // benchmark flips; instances 1-9 go straight into the catalog on nine other nodes.
          // Registering all 10,000 with the one dev agent is not practical: the agent's
          // anti-entropy sync is quadratic in its local services (see docs/benchmarks.md).
          String path = i == 0 ? "/v1/agent/service/register" : "/v1/catalog/register";
          String body = i == 0
              ? """
                {"Name": "%s", "ID": "%s-0", "Address": "%s", "Port": 8080, "Meta": {"embassy-weight": "1"},
                 "Check": {"TTL": "1h", "Status": "passing"}}""".formatted(service(s), service(s), flippingAddress(s))
              : """
                {"Node": "bench-node-%d", "Address": "10.255.0.%d", "NodeMeta": {"embassy-zone": "z%d"},
                 "Service": {"ID": "%s-%d", "Service": "%s", "Address": "10.%d.%d.%d", "Port": 8080, "Meta": {"embassy-weight": "1"}}}"""
                .formatted(i, i, i % 3, service(s), i, service(s), s / 250, s % 250, i + 1);
          all.add(CompletableFuture.runAsync(() -> {
            try {
              parallel.acquire();
              try {
                put(path, body);
              } finally {
                parallel.release();
              }
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }, executor));
        }
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
    }
  }

  private void awaitCatalog() throws Exception {
    // Agent registrations reach the catalog through anti-entropy: wait until the agent's node
    // lists every instance 0 (besides Consul's own service).
    int synced = 0;
    for (int attempt = 0; attempt < 1_200; attempt++) {
      JsonNode node = JSON.readTree(get("/v1/catalog/node/" + AGENT_NODE).body());
      synced = node.path("Services").size() - (node.path("Services").has("consul") ? 1 : 0);
      if (synced >= services) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the catalog holds " + synced + " of the agent's " + services + " instances after 2 minutes");
  }

  private void put(String path, String body) throws Exception {
    HttpResponse<String> response = http.send(
        HttpRequest.newBuilder(consul.resolve(path)).timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("PUT " + path + " answered " + response.statusCode() + ": " + response.body());
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(consul.resolve(path)).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response;
  }
}
