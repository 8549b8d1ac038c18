package dev.embassy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt64Value;
import dev.embassy.ratelimit.window.CounterKey;
import dev.embassy.testsupport.FreePorts;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes in one JVM talking the peer protocol over real gRPC on loopback: global mode (answers
 * without a hop, views reconciled by sync, excess bounded) and a graceful leave (the leaving node
 * hands its counters over).
 */
class InProcessClusterIT {
  private final List<RateLimitNode> nodes = new ArrayList<>();
  private final Map<String, Integer> grpcPorts = new LinkedHashMap<>();

  @AfterEach
  void stop() {
    nodes.forEach(RateLimitNode::close);
  }

  @Test
  void globalModeAnswersLocallyAndConvergesWithinTheDocumentedBound() throws Exception {
    start("""
        rateLimitPolicies:
          - name: hot
            domain: hot
            mode: global
            requestDescriptors: [{entries: [{genericKey: {value: hot}}]}]
            descriptors: [{key: generic_key, value: hot, limit: {requests: 100, window: 1h}}]
        """, "g1", "g2");
    RateLimitRequest hit = ClusterIT.request("hot", "generic_key", "hot");
    try (RlsLoad load = new RlsLoad(grpcPorts)) {
      int admitted = 0;
      // As fast as two sequential clients go: much faster than the 100 ms sync.
      for (int i = 0; i < 300; i++) {
        RateLimitResponse response = load.call(i % 2 == 0 ? "g1" : "g2", hit);
        admitted += response.getOverallCode() == Code.OK ? 1 : 0;
      }
      // Nothing was forwarded: every answer came from the node asked.
      for (RateLimitNode node : nodes) {
        assertThat(NodeMetrics.sum(node, "embassy_ratelimit_peer_batch_size_hits_count")).isZero();
      }
      // The bound: each node stops at the limit on its own view, so at most 2 × 100 in total.
      assertThat(admitted).isBetween(100, 200);
      // After a few syncs both nodes agree on the owner's count and refuse.
      Thread.sleep(500);
      RateLimitRequest probe = RateLimitRequest.newBuilder().setDomain("hot")
          .addDescriptors(hit.getDescriptors(0).toBuilder().setHitsAddend(UInt64Value.of(0))).build();
      for (String node : grpcPorts.keySet()) {
        assertThat(load.call(node, probe).getStatuses(0).getLimitRemaining()).as("remaining on %s", node).isZero();
        assertThat(load.call(node, hit).getOverallCode()).as("refused on %s", node).isEqualTo(Code.OVER_LIMIT);
      }
      System.out.printf("global mode: 300 hits alternating over 2 nodes as fast as possible: %d admitted for a limit of 100 (bound 200)%n", admitted);
    }
  }

  @Test
  void aNodeLeavingGracefullyHandsItsCountersOver() throws Exception {
    start("""
        rateLimitPolicies:
          - name: leave
            domain: leave
            requestDescriptors: [{entries: [{requestHeader: {header: x-key, key: k}}]}]
            descriptors: [{key: k, limit: {requests: 1000, window: 1h}}]
        """, "l1", "l2");
    // Keys owned by l1, which will leave.
    List<String> owned = new ArrayList<>();
    for (int i = 0; owned.size() < 5; i++) {
      if (nodes.get(0).view().ownerOf(new CounterKey("leave", "k=v" + i, 3_600_000)).id().equals("l1")) {
        owned.add("v" + i);
      }
    }
    try (RlsLoad load = new RlsLoad(grpcPorts)) {
      for (String value : owned) {
        for (int i = 0; i < 10; i++) {
          load.call(i % 2 == 0 ? "l1" : "l2", ClusterIT.request("leave", "k", value));
        }
      }
      nodes.remove(0).close();
      awaitMembers(nodes.get(0), 1);
      for (String value : owned) {
        RateLimitRequest probe = RateLimitRequest.newBuilder().setDomain("leave")
            .addDescriptors(ClusterIT.request("leave", "k", value).getDescriptors(0).toBuilder().setHitsAddend(UInt64Value.of(0))).build();
        assertThat(load.call("l2", probe).getStatuses(0).getLimitRemaining()).as("key %s after l1 left", value).isEqualTo(990);
      }
    }
  }

  private void start(String policies, String... ids) throws Exception {
    Map<String, int[]> ports = new LinkedHashMap<>();
    for (String id : ids) {
      ports.put(id, FreePorts.many(2));
      grpcPorts.put(id, ports.get(id)[0]);
    }
    String peers = String.join(",", ports.entrySet().stream().map(e -> e.getKey() + "@127.0.0.1:" + e.getValue()[0]).toList());
    for (String id : ids) {
      nodes.add(RateLimitNode.start(RateLimitServiceConfig.fromEnvironment(Map.of(
          "EMBASSY_RATELIMIT_NODE_ID", id,
          "EMBASSY_RATELIMIT_PORT", Integer.toString(ports.get(id)[0]),
          "EMBASSY_RATELIMIT_STATUS_PORT", Integer.toString(ports.get(id)[1]),
          "EMBASSY_RATELIMIT_PEERS", peers,
          // Hand-over and sync are under test here, not latency.
          "EMBASSY_RATELIMIT_PEER_TIMEOUT", "2s")), FixedPolicies.of(policies)));
    }
    for (RateLimitNode node : nodes) {
      awaitMembers(node, ids.length);
    }
  }

  static void awaitMembers(RateLimitNode node, int members) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      if (node.health().ready() && node.view().members().size() == members) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("node " + node.health().nodeId() + " never saw " + members + " members: " + node.view());
  }
}
