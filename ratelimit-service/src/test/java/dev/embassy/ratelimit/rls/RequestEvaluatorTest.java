package dev.embassy.ratelimit.rls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UInt64Value;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.ratelimit.cluster.GlobalModeCounters;
import dev.embassy.ratelimit.cluster.HitRouter;
import dev.embassy.ratelimit.cluster.LiveCluster;
import dev.embassy.ratelimit.cluster.Member;
import dev.embassy.ratelimit.cluster.PeerChannels;
import dev.embassy.ratelimit.cluster.StaticMembership;
import dev.embassy.ratelimit.config.ActivePolicies;
import dev.embassy.ratelimit.config.EnvoyRatelimitImporter;
import dev.embassy.ratelimit.config.PolicySet;
import dev.embassy.ratelimit.status.RateLimitMetrics;
import dev.embassy.ratelimit.window.CounterStore;
import dev.embassy.ratelimit.window.ManualClock;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit;
import io.envoyproxy.envoy.type.v3.RateLimitUnit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** One node, no peers: the whole request path from an RLS request to its response, clock in hand. */
class RequestEvaluatorTest {
  private static final long T0 = 1_800_000_000_000L - (1_800_000_000_000L % 3_600_000L);

  private final ManualClock clock = new ManualClock(T0);
  private final RateLimitMetrics metrics = new RateLimitMetrics();
  private final ActivePolicies policies = new ActivePolicies();
  private final RequestEvaluator evaluator = evaluator();

  private RequestEvaluator evaluator() {
    Member self = new Member("solo", "127.0.0.1", 1);
    PeerChannels channels = new PeerChannels();
    LiveCluster cluster = new LiveCluster(self, new StaticMembership(self, List.of()), channels, Duration.ofSeconds(1), Duration.ofSeconds(1), metrics);
    CounterStore store = new CounterStore(clock);
    GlobalModeCounters global = new GlobalModeCounters(cluster, store, channels, Duration.ofMillis(100), metrics);
    HitRouter router = new HitRouter(cluster, store, channels, global, Duration.ofNanos(500_000), 1000, Duration.ofMillis(15), metrics);
    return new RequestEvaluator(policies, router, metrics);
  }

  private void enforce(String embassyYaml) throws Exception {
    RateLimitPolicy policy = ConfigJson.yaml().readValue(embassyYaml, RateLimitPolicy.class);
    policies.replace(PolicySet.compile(List.of(policy), 1, "test"));
  }

  private void enforceEnvoyFile(String yaml) {
    policies.replace(PolicySet.compile(List.of(EnvoyRatelimitImporter.importFile("t.yaml", yaml).policy()), -1, "test"));
  }

  @Test
  void answersOkThenOverLimitWithStatusesAndHeaders() throws Exception {
    enforce("""
        name: api
        domain: api
        requestDescriptors: [{entries: [{genericKey: {value: all}}]}]
        descriptors: [{key: generic_key, value: all, limit: {requests: 3, window: 1m}}]
        """);
    RateLimitRequest request = request("api", descriptor("generic_key", "all"));
    for (int i = 0; i < 3; i++) {
      RateLimitResponse ok = evaluate(request);
      assertThat(ok.getOverallCode()).isEqualTo(Code.OK);
      assertThat(ok.getStatuses(0).getLimitRemaining()).isEqualTo(2 - i);
      assertThat(ok.getStatuses(0).getCurrentLimit().getRequestsPerUnit()).isEqualTo(3);
      assertThat(ok.getStatuses(0).getCurrentLimit().getUnit()).isEqualTo(Unit.MINUTE);
    }
    clock.advance(10_000);
    RateLimitResponse over = evaluate(request);
    assertThat(over.getOverallCode()).isEqualTo(Code.OVER_LIMIT);
    assertThat(over.getStatuses(0).getCode()).isEqualTo(Code.OVER_LIMIT);
    assertThat(over.getStatuses(0).getLimitRemaining()).isZero();
    // The window is full on its own: the next hit fits 2/3 into... the next window: 50 s + 20 s.
    assertThat(over.getStatuses(0).getDurationUntilReset().getSeconds()).isEqualTo(70);
    assertThat(headers(over)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "RateLimit-Limit", "3", "RateLimit-Remaining", "0", "RateLimit-Reset", "70", "RateLimit-Policy", "3;w=60"));
  }

  @Test
  void windowsThatNoUnitExpressesAreSentAsUnknownWithTheTruthInRateLimitPolicy() throws Exception {
    enforce("""
        name: api
        domain: api
        requestDescriptors: [{entries: [{genericKey: {value: all}}]}]
        descriptors: [{key: generic_key, limit: {requests: 100, window: 5m}}]
        """);
    RateLimitResponse response = evaluate(request("api", descriptor("generic_key", "all")));
    assertThat(response.getStatuses(0).getCurrentLimit().getUnit()).isEqualTo(Unit.UNKNOWN);
    assertThat(response.getStatuses(0).getCurrentLimit().getRequestsPerUnit()).isEqualTo(100);
    assertThat(headers(response)).containsEntry("RateLimit-Policy", "100;w=300").containsEntry("RateLimit-Remaining", "99");
    assertThat(headers(response).get("RateLimit-Reset")).isEqualTo("300");
  }

  @Test
  void responseHeadersCanBeTurnedOff() throws Exception {
    enforce("""
        name: api
        domain: api
        responseHeaders: false
        requestDescriptors: [{entries: [{genericKey: {value: all}}]}]
        descriptors: [{key: generic_key, limit: {requests: 1, window: 1s}}]
        """);
    assertThat(evaluate(request("api", descriptor("generic_key", "all"))).getResponseHeadersToAddList()).isEmpty();
  }

  @Test
  void unknownDomainIsOkAndCounted() {
    RateLimitResponse response = evaluate(request("nobody", descriptor("a", "b"), descriptor("c", "d")));
    assertThat(response.getOverallCode()).isEqualTo(Code.OK);
    assertThat(response.getStatusesList()).hasSize(2).allMatch(s -> s.getCode() == Code.OK && !s.hasCurrentLimit());
    assertThat(metrics.scrape()).contains("embassy_ratelimit_unknown_domain_total 1.0");
  }

  @Test
  void anEmptyDomainIsAnInvalidRequest() {
    assertThatThrownBy(() -> evaluator.evaluate(request("", descriptor("a", "b")), Long.MAX_VALUE))
        .isInstanceOf(RequestEvaluator.InvalidRequestException.class);
  }

  @Test
  void shadowModeCountsButNeverBlocks() {
    enforceEnvoyFile("""
        domain: shadowed
        descriptors:
          - key: user
            value: alice
            shadow_mode: true
            rate_limit: {unit: second, requests_per_unit: 1}
        """);
    RateLimitRequest request = request("shadowed", descriptor("user", "alice"));
    for (int i = 0; i < 5; i++) {
      RateLimitResponse response = evaluate(request);
      assertThat(response.getOverallCode()).isEqualTo(Code.OK);
      assertThat(response.getStatuses(0).getCode()).isEqualTo(Code.OK);
    }
    String scrape = metrics.scrape();
    assertThat(scrape).contains("embassy_ratelimit_shadow_mode_total{descriptor=\"shadowed.user_alice\",domain=\"shadowed\"} 4.0");
    assertThat(scrape).contains("embassy_ratelimit_over_limit_total{descriptor=\"shadowed.user_alice\",domain=\"shadowed\"} 4.0");
    assertThat(scrape).contains("embassy_ratelimit_hits_total{descriptor=\"shadowed.user_alice\",domain=\"shadowed\"} 5.0");
  }

  @Test
  void replacedLimitsAreNeitherCheckedNorCounted() {
    enforceEnvoyFile("""
        domain: replacing
        descriptors:
          - key: key_1
            value: value_1
            descriptors:
              - key: user
                value: carol
                rate_limit: {name: specific_limit, requests_per_unit: 1, unit: second}
          - key: key_2
            value: value_2
            descriptors:
              - key: user
                value: carol
                rate_limit: {replaces: [{name: specific_limit}], requests_per_unit: 3, unit: second}
        """);
    RateLimitRequest both = request("replacing", descriptor("key_1", "value_1", "user", "carol"), descriptor("key_2", "value_2", "user", "carol"));
    for (int i = 0; i < 3; i++) {
      RateLimitResponse response = evaluate(both);
      assertThat(response.getOverallCode()).as("request %d", i).isEqualTo(Code.OK);
      assertThat(response.getStatuses(0).hasCurrentLimit()).as("the replaced limit reports nothing").isFalse();
      assertThat(response.getStatuses(1).getCurrentLimit().getRequestsPerUnit()).isEqualTo(3);
    }
    assertThat(evaluate(both).getOverallCode()).isEqualTo(Code.OVER_LIMIT);
    // The replaced limit's own counter was never touched: alone it still admits one.
    assertThat(evaluate(request("replacing", descriptor("key_1", "value_1", "user", "carol"))).getOverallCode()).isEqualTo(Code.OK);
  }

  @Test
  void unlimitedAnswersOkWithMaximalRemaining() {
    enforceEnvoyFile("""
        domain: internal
        descriptors:
          - {key: ldap, rate_limit: {unlimited: true}}
        """);
    RateLimitResponse response = evaluate(request("internal", descriptor("ldap", "x")));
    assertThat(response.getOverallCode()).isEqualTo(Code.OK);
    assertThat(Integer.toUnsignedLong(response.getStatuses(0).getLimitRemaining())).isEqualTo(0xFFFF_FFFFL);
    assertThat(response.getResponseHeadersToAddList()).isEmpty();
  }

  @Test
  void hitsAddendOfTheDescriptorOverridesTheRequestsAndZeroOnlyReports() {
    enforceEnvoyFile("""
        domain: bytes
        descriptors:
          - {key: client, rate_limit: {unit: minute, requests_per_unit: 100}}
        """);
    RateLimitRequest.Builder request = request("bytes", descriptor("client", "c")).toBuilder().setHitsAddend(30);
    assertThat(evaluate(request.build()).getStatuses(0).getLimitRemaining()).isEqualTo(70);
    RateLimitDescriptor own = descriptor("client", "c").toBuilder().setHitsAddend(UInt64Value.of(50)).build();
    assertThat(evaluate(request.setDescriptors(0, own).build()).getStatuses(0).getLimitRemaining()).isEqualTo(20);
    RateLimitDescriptor probe = descriptor("client", "c").toBuilder().setHitsAddend(UInt64Value.of(0)).build();
    assertThat(evaluate(request.setDescriptors(0, probe).build()).getStatuses(0).getLimitRemaining()).isEqualTo(20);
    assertThat(evaluate(request.setDescriptors(0, own).build()).getOverallCode()).isEqualTo(Code.OVER_LIMIT);
  }

  @Test
  void theMostConstrainedLimitDrivesTheHeadersAndEveryLimitIsInThePolicy() {
    enforceEnvoyFile("""
        domain: multi
        descriptors:
          - {key: ip, rate_limit: {unit: second, requests_per_unit: 10}}
          - {key: user, rate_limit: {unit: hour, requests_per_unit: 2}}
        """);
    RateLimitResponse response = evaluate(request("multi", descriptor("ip", "1"), descriptor("user", "u")));
    Map<String, String> headers = headers(response);
    assertThat(headers).containsEntry("RateLimit-Limit", "2").containsEntry("RateLimit-Remaining", "1")
        .containsEntry("RateLimit-Policy", "10;w=1, 2;w=3600");
  }

  @Test
  void envoysLimitOverrideReplacesTheConfiguredLimit() {
    enforceEnvoyFile("""
        domain: override
        descriptors:
          - {key: k, rate_limit: {unit: minute, requests_per_unit: 100}}
        """);
    RateLimitDescriptor overridden = descriptor("k", "v").toBuilder()
        .setLimit(RateLimitDescriptor.RateLimitOverride.newBuilder().setRequestsPerUnit(1).setUnit(RateLimitUnit.SECOND))
        .build();
    assertThat(evaluate(request("override", overridden)).getOverallCode()).isEqualTo(Code.OK);
    RateLimitResponse second = evaluate(request("override", overridden));
    assertThat(second.getOverallCode()).isEqualTo(Code.OVER_LIMIT);
    assertThat(second.getStatuses(0).getCurrentLimit().getUnit()).isEqualTo(Unit.SECOND);
  }

  @Test
  void limitsSlideWithTheClock() {
    enforceEnvoyFile("""
        domain: slide
        descriptors:
          - {key: k, rate_limit: {unit: second, requests_per_unit: 10}}
        """);
    RateLimitRequest request = request("slide", descriptor("k", "v"));
    for (int i = 0; i < 10; i++) {
      assertThat(evaluate(request).getOverallCode()).isEqualTo(Code.OK);
    }
    assertThat(evaluate(request).getOverallCode()).isEqualTo(Code.OVER_LIMIT);
    // Half-way through the next second, half of the previous ten still count: five more fit.
    clock.advance(1_500);
    for (int i = 0; i < 5; i++) {
      assertThat(evaluate(request).getOverallCode()).as("hit %d", i).isEqualTo(Code.OK);
    }
    assertThat(evaluate(request).getOverallCode()).isEqualTo(Code.OVER_LIMIT);
  }

  private RateLimitResponse evaluate(RateLimitRequest request) {
    return evaluator.evaluate(request, Long.MAX_VALUE).join();
  }

  private static Map<String, String> headers(RateLimitResponse response) {
    return response.getResponseHeadersToAddList().stream().collect(Collectors.toMap(HeaderValue::getKey, HeaderValue::getValue));
  }

  static RateLimitRequest request(String domain, RateLimitDescriptor... descriptors) {
    return RateLimitRequest.newBuilder().setDomain(domain).addAllDescriptors(List.of(descriptors)).build();
  }

  static RateLimitDescriptor descriptor(String... keyValues) {
    RateLimitDescriptor.Builder builder = RateLimitDescriptor.newBuilder();
    for (int i = 0; i < keyValues.length; i += 2) {
      builder.addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(keyValues[i]).setValue(keyValues[i + 1]));
    }
    return builder.build();
  }
}
