package dev.embassy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.testsupport.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node warms its forwarding path on itself before it reports SERVING, and leaves no trace of
 * it: no counters, no forward metrics; only the warm-up gauge says it happened.
 */
class WarmUpIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private static final String POLICIES = """
      rateLimitPolicies:
        - name: p
          domain: p
          requestDescriptors: [{entries: [{genericKey: {value: k}}]}]
          descriptors: [{key: generic_key, value: k, limit: {requests: 10, window: 1s}}]
      """;

  @Test
  void aNodeWarmsItsForwardingPathBeforeServingAndKeepsNothingFromIt() throws Exception {
    try (RateLimitNode node = start("3s")) {
      awaitReady(node);
      double forwards = metric(node, "embassy_ratelimit_warmup_forwards");
      System.out.printf("warm-up: %.0f forwards before the node reported ready%n", forwards);
      assertThat(forwards).as("forwards answered during the warm-up").isPositive();
      assertThat(node.store().size()).as("warm-up counters never reach the real store").isZero();
      assertThat(metric(node, "embassy_ratelimit_peer_batch_size_hits_count")).as("forward metrics count real traffic only").isZero();
    }
  }

  @Test
  void warmUpCanBeTurnedOff() throws Exception {
    try (RateLimitNode node = start("0s")) {
      awaitReady(node);
      assertThat(metric(node, "embassy_ratelimit_warmup_forwards")).isZero();
    }
  }

  private static RateLimitNode start(String warmUp) {
    int[] ports = FreePorts.many(2);
    return RateLimitNode.start(RateLimitServiceConfig.fromEnvironment(Map.of(
        "EMBASSY_RATELIMIT_NODE_ID", "w",
        "EMBASSY_RATELIMIT_PORT", Integer.toString(ports[0]),
        "EMBASSY_RATELIMIT_STATUS_PORT", Integer.toString(ports[1]),
        "EMBASSY_RATELIMIT_WARMUP", warmUp)), FixedPolicies.of(POLICIES));
  }

  private static void awaitReady(RateLimitNode node) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (!node.health().ready()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("node never became ready: " + node.health());
      }
      Thread.sleep(20);
    }
  }

  private static double metric(RateLimitNode node, String name) throws Exception {
    String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.statusPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return body.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
