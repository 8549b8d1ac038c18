package dev.embassy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt64Value;
import dev.embassy.ratelimit.RlsLoad.Kind;
import dev.embassy.ratelimit.RlsLoad.Outcome;
import dev.embassy.ratelimit.cluster.ClusterView;
import dev.embassy.ratelimit.cluster.Member;
import dev.embassy.ratelimit.window.CounterKey;
import dev.embassy.testsupport.FreePorts;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes as separate processes (the packaged jar), static membership, policies from a config
 * directory, driven over real gRPC: the accuracy of one hot key shared by all nodes, the failure
 * of the key's owner mid-run, and a node joining mid-run.
 */
class ClusterIT {
  private static final Duration READY = Duration.ofSeconds(60);
  /**
   * Set (to anything) to replace the failover test's warm-up run by one that warms only the load
   * generator, and measure instead how fresh nodes answer their first seconds (docs/benchmarks.md,
   * "cold start"); the node's own warm-up budget then comes from {@link #NODE_WARMUP} if set.
   */
  private static final String COLD_START = "EMBASSY_CLUSTERIT_COLD_START";
  private static final String NODE_WARMUP = "EMBASSY_CLUSTERIT_NODE_WARMUP";

  @TempDir
  Path dir;

  private final Map<String, int[]> ports = new LinkedHashMap<>();
  private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
  private final Map<String, String> settings = new java.util.HashMap<>();

  /** The issue: one key limited to 100/s, driven from all nodes for 30 s, admits at most 101% of the limit. */
  @Test
  void aHotKeyDrivenFromAllNodesForThirtySecondsStaysWithinOnePercentOfTheLimit() throws Exception {
    policy("""
        rateLimitPolicies:
          - name: hot
            domain: hot
            failureMode: closed
            requestDescriptors: [{entries: [{genericKey: {value: hot}}]}]
            descriptors: [{key: generic_key, value: hot, limit: {requests: 100, window: 1s}}]
        """);
    startAll(List.of("a", "b", "c"), List.of("a", "b", "c"));
    RateLimitRequest request = request("hot", "generic_key", "hot");
    try (RlsLoad load = load()) {
      warmUp(load, request, 600);
      long start = nextSecond() + 2_000;
      int seconds = 30;
      // Six times the limit, a third on each node: two thirds of the hits are forwarded to the owner.
      List<Outcome> outcomes = load.run(request, 600, start, Duration.ofSeconds(seconds), -1, null);
      long admitted = count(outcomes, Kind.ADMITTED);
      long limitedOrFailed = count(outcomes, Kind.LIMITED);
      long errors = count(outcomes, Kind.ERROR) + count(outcomes, Kind.FAILED_OPEN);
      long unreachable = unreachableAnswers();
      double ratio = admitted / (100.0 * seconds);
      System.out.printf("cluster accuracy: %d requests in %d s from 3 nodes, owner %s: %d admitted = %.4f of the limit (%d allowed),"
              + " %d limited (%d of them because the owner was unreachable in time), %d errors; max admitted in any sliding second by send time: %d%n",
          outcomes.size(), seconds, owner("hot", "generic_key=hot", 1_000, List.of("a", "b", "c")), admitted, ratio, 100 * seconds,
          limitedOrFailed, unreachable, errors, maxInSlidingSecond(outcomes));
      for (NodeProcess node : nodes.values()) {
        String metrics = node.metrics();
        System.out.printf("cluster accuracy: node %s: forwards max %.1f ms, batch wait max %.3f ms, answers max %.1f ms,"
                + " owner unreachable %d, batches %d with %d hits%n", node.id(),
            1_000 * NodeMetrics.max(metrics, "embassy_ratelimit_peer_forward_seconds_max"), 1_000 * NodeMetrics.max(metrics, "embassy_ratelimit_peer_batch_wait_seconds_max"),
            1_000 * NodeMetrics.max(metrics, "embassy_ratelimit_request_seconds_max"), (long) NodeMetrics.sum(metrics, "embassy_ratelimit_owner_unreachable_total"),
            (long) NodeMetrics.sum(metrics, "embassy_ratelimit_peer_batch_size_hits_count"), (long) NodeMetrics.sum(metrics, "embassy_ratelimit_peer_batch_size_hits_sum"));
      }
      assertThat(errors).isZero();
      assertThat(admitted).as("admitted at most 101%% of the limit").isLessThanOrEqualTo((long) (1.01 * 100 * seconds));
      assertThat(admitted).as("and not far below it").isGreaterThanOrEqualTo((long) (0.9 * 100 * seconds));
    }
  }

  /**
   * The issue: killing one node mid-run recovers within 5 s, with over-admission inside the
   * documented bound (the dead owner's window is lost: at most one limit's worth per key; plus, for
   * a fail-open policy, the hits answered while the owner was unreachable).
   */
  @Test
  void killingTheOwnerRecoversWithinFiveSecondsInsideTheBound() throws Exception {
    policy("""
        rateLimitPolicies:
          - name: hot
            domain: hot
            failureMode: open
            requestDescriptors: [{entries: [{genericKey: {value: hot}}]}]
            descriptors: [{key: generic_key, value: hot, limit: {requests: 100, window: 1s}}]
        """);
    List<String> all = List.of("a", "b", "c");
    startAll(all, all);
    String owner = owner("hot", "generic_key=hot", 1_000, all);
    List<String> survivors = all.stream().filter(id -> !id.equals(owner)).toList();
    RateLimitRequest request = request("hot", "generic_key", "hot");
    try (RlsLoad load = load()) {
      if (System.getenv(COLD_START) == null) {
        warmUp(load, request, 300);
      } else {
        // Only this JVM's client is warmed (with a domain no policy has, so nothing is counted or
        // forwarded): a cold load generator stalls and then sends in bursts, which Envoy does not.
        warmUp(load, request("no-such-domain", "generic_key", "hot"), 300);
      }
      long start = nextSecond() + 2_000;
      int seconds = 20;
      long killAt = start + 10_500;
      List<Outcome> outcomes = load.run(request, 300, start, Duration.ofSeconds(seconds), killAt, () -> {
        load.useOnly(survivors);
        nodes.get(owner).kill();
      });
      List<Outcome> afterKill = outcomes.stream().filter(o -> o.sentMillis() >= killAt).toList();
      long lastTrouble = afterKill.stream().filter(o -> o.kind() == Kind.FAILED_OPEN || o.kind() == Kind.ERROR)
          .mapToLong(Outcome::sentMillis).max().orElse(killAt);
      long recoveryMillis = lastTrouble - killAt;
      long failedOpen = count(outcomes, Kind.FAILED_OPEN);
      long failedOpenAfterKill = count(afterKill, Kind.FAILED_OPEN);
      System.out.println("cluster failover: failed-open answers by second of the run: " + outcomes.stream()
          .filter(o -> o.kind() == Kind.FAILED_OPEN)
          .collect(Collectors.groupingBy(o -> (o.sentMillis() - start) / 1_000, TreeMap::new, Collectors.counting())));
      long errors = count(outcomes, Kind.ERROR);
      long admitted = count(outcomes, Kind.ADMITTED);
      long allowed = 100L * seconds;
      long excess = admitted + failedOpen - allowed;
      long bound = 100 + failedOpen;
      System.out.printf("cluster failover: owner %s killed at +%d ms; answers normal again %d ms later; %d admitted + %d failed open"
              + " = %d let through of %d allowed (excess %d, bound: one window's limit 100 + failed-open %d = %d); %d failed open after the kill;"
              + " %d errors%n",
          owner, killAt - start, recoveryMillis, admitted, failedOpen, admitted + failedOpen, allowed, excess, failedOpen, bound,
          failedOpenAfterKill, errors);
      assertThat(recoveryMillis).as("recovery after the owner died").isLessThanOrEqualTo(5_000);
      assertThat(errors).as("survivors answer every call").isZero();
      assertThat(excess).as("over-admission inside the documented bound").isLessThanOrEqualTo(bound);
      assertThat(failedOpenAfterKill).as("fail-open answers last no longer than detection (a refused connection)").isLessThanOrEqualTo(300);
      // After recovery the survivors enforce the limit again: the last five seconds admit at most 5 × 100.
      long tail = outcomes.stream().filter(o -> o.sentMillis() >= start + (seconds - 5) * 1_000L && o.kind() == Kind.ADMITTED).count();
      assertThat(tail).isLessThanOrEqualTo(5 * 100 + 5);
    }
  }

  /** The issue: a node joining mid-run loses no counts (its keys' windows are handed over). */
  @Test
  void aNodeJoiningMidRunLosesNoCounts() throws Exception {
    List<String> all = List.of("a", "b", "c");
    // Two keys the joining node c will own, found by the same rendezvous hashing the nodes use.
    List<String> values = new ArrayList<>();
    for (int i = 0; values.size() < 2; i++) {
      if (owner("join", "generic_key=k" + i, 3_600_000, all).equals("c")) {
        values.add("k" + i);
      }
    }
    String big = values.get(0);
    String small = values.get(1);
    policy("""
        rateLimitPolicies:
          - name: join
            domain: join
            requestDescriptors: [{entries: [{requestHeader: {header: x-key, key: generic_key}}]}]
            descriptors:
              - {key: generic_key, value: %s, limit: {requests: 10000, window: 1h}}
              - {key: generic_key, value: %s, limit: {requests: 400, window: 1h}}
        """.formatted(big, small));
    // This test is about hand-over, not latency: on a shared two-core machine a forward can stall
    // past the default 15 ms and be answered by the failure mode, which would blur the count.
    settings.put("EMBASSY_RATELIMIT_PEER_TIMEOUT", "2s");
    startAll(List.of("a", "b"), all);
    RateLimitRequest bigHit = request("join", "generic_key", big);
    RateLimitRequest smallHit = request("join", "generic_key", small);
    try (RlsLoad load = load()) {
      int admittedBig = 0;
      int admittedSmall = 0;
      for (int i = 0; i < 300; i++) {
        String node = i % 2 == 0 ? "a" : "b";
        admittedBig += admitted(load.call(node, bigHit));
        admittedSmall += admitted(load.call(node, smallHit));
      }
      // c joins: a and b see it, and whichever held the two keys hands their windows over.
      start("c", all);
      nodes.get("c").awaitReady(3, READY);
      nodes.get("a").awaitReady(3, READY);
      nodes.get("b").awaitReady(3, READY);
      for (int i = 0; i < 200; i++) {
        String node = all.get(i % 3);
        admittedBig += admitted(load.call(node, bigHit));
        admittedSmall += admitted(load.call(node, smallHit));
      }
      long handedToC = (long) NodeMetrics.sum(nodes.get("c").metrics(), "embassy_ratelimit_handover_keys_received_total");
      System.out.printf("cluster join: c joined after 300 hits per key; %d counters handed to c; big key admitted %d of 500 (limit 10000),"
          + " small key admitted %d of 500 (limit 400)%n", handedToC, admittedBig, admittedSmall);
      assertThat(admittedBig).isEqualTo(500);
      assertThat(admittedSmall).as("300 before the join + exactly the 100 left after it").isEqualTo(400);
      assertThat(handedToC).isGreaterThanOrEqualTo(2);
      // Every node, asked without counting, sees every one of the 500 hits on the big key.
      for (String node : all) {
        RateLimitResponse probe = load.call(node, RateLimitRequest.newBuilder().setDomain("join")
            .addDescriptors(bigHit.getDescriptors(0).toBuilder().setHitsAddend(UInt64Value.of(0))).build());
        assertThat(probe.getStatuses(0).getLimitRemaining()).as("remaining seen from %s", node).isEqualTo(10_000 - 500);
      }
    }
  }

  private void policy(String yaml) throws Exception {
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(dir.resolve("policies/policy.yaml"), yaml);
  }

  private void startAll(List<String> ids, List<String> peers) {
    for (String id : peers) {
      ports.putIfAbsent(id, FreePorts.many(2));
    }
    ids.forEach(id -> start(id, peers));
    for (String id : ids) {
      nodes.get(id).awaitReady(ids.size(), READY);
    }
  }

  private void start(String id, List<String> peers) {
    ports.putIfAbsent(id, FreePorts.many(2));
    String peerList = String.join(",", peers.stream().map(p -> p + "@127.0.0.1:" + ports.computeIfAbsent(p, x -> FreePorts.many(2))[0]).toList());
    Map<String, String> env = new java.util.HashMap<>(settings);
    env.put("EMBASSY_RATELIMIT_PEERS", peerList);
    env.put("EMBASSY_RATELIMIT_CONFIG_DIR", dir.resolve("policies").toString());
    if (System.getenv(NODE_WARMUP) != null) {
      env.put("EMBASSY_RATELIMIT_WARMUP", System.getenv(NODE_WARMUP));
    }
    NodeProcess node = NodeProcess.start(id, ports.get(id)[0], ports.get(id)[1], env, dir.resolve("logs"));
    nodes.put(id, node);
  }

  private RlsLoad load() {
    Map<String, Integer> grpc = new LinkedHashMap<>();
    ports.forEach((id, p) -> grpc.put(id, p[0]));
    return new RlsLoad(grpc);
  }

  private String owner(String domain, String path, long windowMillis, List<String> members) {
    List<Member> view = members.stream().map(id -> new Member(id, "127.0.0.1", 1)).toList();
    return new ClusterView(view.get(0), view, 0).ownerOf(new CounterKey(domain, path, windowMillis)).id();
  }

  private long unreachableAnswers() throws Exception {
    long total = 0;
    for (NodeProcess node : nodes.values()) {
      total += (long) NodeMetrics.sum(node.metrics(), "embassy_ratelimit_owner_unreachable_total");
    }
    return total;
  }

  private static int admitted(RateLimitResponse response) {
    return response.getOverallCode() == RateLimitResponse.Code.OK && response.getStatuses(0).hasCurrentLimit() ? 1 : 0;
  }

  private static long count(List<Outcome> outcomes, Kind kind) {
    return outcomes.stream().filter(o -> o.kind() == kind).count();
  }

  private static long maxInSlidingSecond(List<Outcome> outcomes) {
    long[] times = outcomes.stream().filter(o -> o.kind() == Kind.ADMITTED).mapToLong(Outcome::sentMillis).sorted().toArray();
    long max = 0;
    int from = 0;
    for (int to = 0; to < times.length; to++) {
      while (times[to] - times[from] >= 1_000) {
        from++;
      }
      max = Math.max(max, to - from + 1);
    }
    return max;
  }

  /**
   * A cold load generator, and nodes whose real paths the JIT has not seen yet, make first-second
   * forwards miss the 15 ms peer deadline (a CI run failed on it); those answers would come from
   * the failure mode and blur what a test measures, so each measured run follows one that warms
   * the path. The warm run ends at least one window (1 s) before the measured one starts, leaving
   * no counts behind.
   */
  private static void warmUp(RlsLoad load, RateLimitRequest request, int perSecond) {
    load.run(request, perSecond, System.currentTimeMillis(), Duration.ofSeconds(3), -1, null);
  }

  private static long nextSecond() {
    return (System.currentTimeMillis() / 1_000 + 1) * 1_000;
  }

  static RateLimitRequest request(String domain, String key, String value) {
    return RateLimitRequest.newBuilder().setDomain(domain)
        .addDescriptors(RateLimitDescriptor.newBuilder().addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(key).setValue(value)))
        .build();
  }

  @org.junit.jupiter.api.AfterEach
  void stopAll() {
    nodes.values().forEach(NodeProcess::close);
  }
}
