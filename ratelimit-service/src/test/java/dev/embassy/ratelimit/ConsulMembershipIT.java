package dev.embassy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt64Value;
import dev.embassy.ratelimit.cluster.Member;
import dev.embassy.ratelimit.window.CounterKey;
import dev.embassy.testsupport.ConsulAgent;
import dev.embassy.testsupport.FreePorts;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Nodes that find each other through a real Consul agent: each registers itself with a gRPC
 * health check, sees the others once Consul (and its own probe) says they serve, shares limits
 * with them, and is removed from everyone's view when it leaves.
 */
class ConsulMembershipIT {
  private static final String POLICIES = """
      rateLimitPolicies:
        - name: shared
          domain: shared
          requestDescriptors: [{entries: [{requestHeader: {header: x-key, key: k}}]}]
          descriptors: [{key: k, limit: {requests: 50, window: 1h}}]
      """;

  @Test
  void nodesDiscoverEachOtherThroughConsulAndShareLimits() throws Exception {
    try (ConsulAgent consul = ConsulAgent.start()) {
      List<RateLimitNode> nodes = new ArrayList<>();
      Map<String, Integer> grpc = new LinkedHashMap<>();
      try {
        for (String id : List.of("c1", "c2", "c3")) {
          int[] ports = FreePorts.many(2);
          grpc.put(id, ports[0]);
          nodes.add(RateLimitNode.start(RateLimitServiceConfig.fromEnvironment(Map.of(
              "EMBASSY_RATELIMIT_NODE_ID", id,
              "EMBASSY_RATELIMIT_PORT", Integer.toString(ports[0]),
              "EMBASSY_RATELIMIT_STATUS_PORT", Integer.toString(ports[1]),
              "EMBASSY_RATELIMIT_CONSUL_ADDRESS", consul.httpAddress().toString(),
              "EMBASSY_RATELIMIT_CONSUL_CHECK_INTERVAL", "200ms",
              "EMBASSY_RATELIMIT_PEER_TIMEOUT", "2s")), FixedPolicies.of(POLICIES)));
        }
        await(() -> nodes.stream().allMatch(n -> n.view().members().size() == 3), "every node sees three members");
        assertThat(consul.http("GET", "/v1/health/service/embassy-ratelimit?passing", null))
            .contains("\"c1\"").contains("\"c2\"").contains("\"c3\"");
        assertThat(nodes.get(0).health().membership()).isEqualTo("consul");

        try (RlsLoad load = new RlsLoad(grpc)) {
          // One key, hit through every node: its single owner counts them all.
          int admitted = 0;
          for (int i = 0; i < 60; i++) {
            admitted += load.call(List.of("c1", "c2", "c3").get(i % 3), ClusterIT.request("shared", "k", "one")).getOverallCode()
                == io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code.OK ? 1 : 0;
          }
          assertThat(admitted).isEqualTo(50);

          // The owner of a fresh key leaves: its counters go to the others, Consul forgets it.
          String value = null;
          RateLimitNode leaving = null;
          for (int i = 0; value == null; i++) {
            Member owner = nodes.get(0).view().ownerOf(new CounterKey("shared", "k=v" + i, 3_600_000));
            if (!owner.id().equals("c1")) {
              value = "v" + i;
              leaving = nodes.stream().filter(n -> n.health().nodeId().equals(owner.id())).findFirst().orElseThrow();
            }
          }
          for (int i = 0; i < 20; i++) {
            load.call("c1", ClusterIT.request("shared", "k", value));
          }
          String leftId = leaving.health().nodeId();
          nodes.remove(leaving);
          leaving.close();
          await(() -> nodes.stream().allMatch(n -> n.view().members().size() == 2), "the remaining nodes see two members");
          await(() -> !consul.http("GET", "/v1/health/service/embassy-ratelimit", null).contains("\"" + leftId + "\""),
              "Consul no longer lists the node that left");
          RateLimitRequest probe = RateLimitRequest.newBuilder().setDomain("shared")
              .addDescriptors(ClusterIT.request("shared", "k", value).getDescriptors(0).toBuilder().setHitsAddend(UInt64Value.of(0))).build();
          assertThat(load.call("c1", probe).getStatuses(0).getLimitRemaining()).isEqualTo(30);
        }
      } finally {
        nodes.forEach(RateLimitNode::close);
      }
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out waiting until " + what);
  }
}
