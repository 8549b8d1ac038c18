package dev.embassy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.testsupport.FreePorts;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node warms its forwarding path on itself before it reports SERVING, and leaves no trace of
 * it: no counters, no forward metrics; only the warm-up gauge says it happened.
 */
class WarmUpIT {
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
      InProcessClusterIT.awaitMembers(node, 1);
      double forwards = NodeMetrics.sum(node, "embassy_ratelimit_warmup_forwards");
      System.out.printf("warm-up: %.0f forwards before the node reported ready%n", forwards);
      assertThat(forwards).as("forwards answered during the warm-up").isPositive();
      assertThat(node.store().size()).as("warm-up counters never reach the real store").isZero();
      assertThat(NodeMetrics.sum(node, "embassy_ratelimit_peer_batch_size_hits_count")).as("forward metrics count real traffic only").isZero();
    }
  }

  @Test
  void warmUpCanBeTurnedOff() throws Exception {
    try (RateLimitNode node = start("0s")) {
      InProcessClusterIT.awaitMembers(node, 1);
      assertThat(NodeMetrics.sum(node, "embassy_ratelimit_warmup_forwards")).isZero();
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
}
