package dev.embassy.ratelimit.rls;

import com.google.protobuf.Duration;
import dev.embassy.config.model.RateLimitPolicy.FailureMode;
import dev.embassy.ratelimit.cluster.HitRouter;
import dev.embassy.ratelimit.cluster.Verdict;
import dev.embassy.ratelimit.config.ActivePolicies;
import dev.embassy.ratelimit.config.CompiledPolicy;
import dev.embassy.ratelimit.config.DescriptorEntry;
import dev.embassy.ratelimit.config.DescriptorPath;
import dev.embassy.ratelimit.config.LimitRule;
import dev.embassy.ratelimit.config.MatchedLimit;
import dev.embassy.ratelimit.status.RateLimitMetrics;
import dev.embassy.ratelimit.status.RateLimitMetrics.DescriptorMetrics;
import dev.embassy.ratelimit.window.CounterKey;
import dev.embassy.ratelimit.window.Decision;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Answers one ShouldRateLimit request: matches each descriptor against the domain's policy,
 * drops limits another matched limit {@code replaces}, has every remaining hit decided (locally
 * or by the key's owner), and assembles Envoy's response.
 *
 * <p>Per descriptor, as envoyproxy/ratelimit answers: no matching limit → OK without
 * {@code current_limit}; {@code unlimited} → OK with {@code limit_remaining} = 2³²−1; otherwise
 * the sliding-window decision with {@code current_limit}, {@code limit_remaining} and
 * {@code duration_until_reset} (whole seconds, rounded up: Envoy's X-RateLimit-Reset reads only the
 * seconds, and a client must not come back too early). A limit in shadow mode is evaluated and
 * counted but always answers OK. The overall code is OVER_LIMIT when any descriptor is.
 *
 * <p><b>Owner unreachable.</b> When the node owning a key cannot be reached before the deadline,
 * the policy's failure mode answers that descriptor: {@code open} → OK without
 * {@code current_limit}; {@code closed} → OVER_LIMIT with 0 remaining and a 1-second reset. A
 * definite answer rather than a gRPC error, because an error fails the whole request (every
 * descriptor, including those decided fine) and Envoy would turn it into a 500 under
 * failure_mode_deny, while a per-descriptor answer keeps the others exact and gives the client a
 * 429 with a retry time. Such answers are counted in embassy_ratelimit_owner_unreachable_total.
 */
public final class RequestEvaluator {
  private static final long MAX_UINT32 = 0xFFFF_FFFFL;
  /** Time kept back from Envoy's deadline for assembling and sending the answer. */
  private static final long ANSWER_MARGIN_NANOS = 1_000_000;

  private final ActivePolicies policies;
  private final HitRouter router;
  private final RateLimitMetrics metrics;

  /** A request that no correct Envoy sends (mapped to INVALID_ARGUMENT by the gRPC layer). */
  public static final class InvalidRequestException extends RuntimeException {
    InvalidRequestException(String message) {
      super(message);
    }
  }

  public RequestEvaluator(ActivePolicies policies, HitRouter router, RateLimitMetrics metrics) {
    this.policies = policies;
    this.router = router;
    this.metrics = metrics;
  }

  /**
   * @param callDeadlineNanos {@link System#nanoTime()} by which the caller gives up, or
   *     {@link Long#MAX_VALUE}
   */
  public CompletableFuture<RateLimitResponse> evaluate(RateLimitRequest request, long callDeadlineNanos) {
    if (request.getDomain().isEmpty()) {
      throw new InvalidRequestException("rate limit domain must not be empty");
    }
    int count = request.getDescriptorsCount();
    Optional<CompiledPolicy> found = policies.current().forDomain(request.getDomain());
    if (found.isEmpty()) {
      metrics.unknownDomain();
      RateLimitResponse.Builder ok = RateLimitResponse.newBuilder().setOverallCode(Code.OK);
      for (int i = 0; i < count; i++) {
        ok.addStatuses(DescriptorStatus.newBuilder().setCode(Code.OK));
      }
      return CompletableFuture.completedFuture(ok.build());
    }
    CompiledPolicy policy = found.get();
    MatchedLimit[] matched = new MatchedLimit[count];
    Set<String> replaced = new HashSet<>();
    for (int i = 0; i < count; i++) {
      matched[i] = match(policy, request.getDescriptors(i)).orElse(null);
      if (matched[i] != null) {
        replaced.addAll(matched[i].rule().replaces());
      }
    }
    long deadline = callDeadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : callDeadlineNanos - ANSWER_MARGIN_NANOS;
    List<CompletableFuture<Verdict>> verdicts = new ArrayList<>(count);
    long[] hits = new long[count];
    for (int i = 0; i < count; i++) {
      MatchedLimit m = matched[i];
      if (m != null && m.rule().name().isPresent() && replaced.contains(m.rule().name().get())) {
        // envoyproxy/ratelimit: a replaced limit is neither checked nor counted.
        matched[i] = m = null;
      }
      if (m == null || m.rule().unlimited()) {
        verdicts.add(null);
        continue;
      }
      hits[i] = hitsOf(request, request.getDescriptors(i));
      CounterKey key = new CounterKey(policy.domain(), m.counterPath(), m.rule().windowMillis());
      verdicts.add(router.hit(key, m.rule().requests(), hits[i], policy.mode(), deadline));
    }
    List<CompletableFuture<Verdict>> pending = new ArrayList<>(count);
    for (CompletableFuture<Verdict> verdict : verdicts) {
      if (verdict != null && !verdict.isDone()) {
        pending.add(verdict);
      }
    }
    if (pending.isEmpty()) {
      // Every key is owned here (or the policy is global): answer on this thread.
      return CompletableFuture.completedFuture(respond(policy, matched, hits, verdicts));
    }
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .thenApply(done -> respond(policy, matched, hits, verdicts));
  }

  private RateLimitResponse respond(CompiledPolicy policy, MatchedLimit[] matched, long[] hits,
      List<CompletableFuture<Verdict>> verdicts) {
    RateLimitResponse.Builder response = RateLimitResponse.newBuilder();
    Code overall = Code.OK;
    List<RateLimitHeaders.Applied> applied = new ArrayList<>();
    for (int i = 0; i < matched.length; i++) {
      MatchedLimit m = matched[i];
      if (m == null) {
        response.addStatuses(DescriptorStatus.newBuilder().setCode(Code.OK));
        continue;
      }
      LimitRule rule = m.rule();
      if (rule.unlimited()) {
        response.addStatuses(DescriptorStatus.newBuilder().setCode(Code.OK).setLimitRemaining((int) MAX_UINT32));
        continue;
      }
      DescriptorMetrics counters = metrics.descriptor(policy.domain(), m.statKey());
      counters.hits().increment(hits[i]);
      Verdict verdict = verdicts.get(i).join();
      DescriptorStatus.Builder status = DescriptorStatus.newBuilder();
      switch (verdict) {
        case Verdict.Counted counted -> {
          Decision decision = counted.decision();
          boolean refused = !decision.admitted();
          long resetSeconds = Math.max(1, Math.ceilDiv(decision.resetMillis(), 1000));
          status.setCurrentLimit(currentLimit(rule))
              .setLimitRemaining((int) Math.min(MAX_UINT32, decision.remaining()))
              .setDurationUntilReset(Duration.newBuilder().setSeconds(resetSeconds));
          if (refused) {
            counters.overLimit().increment(hits[i]);
          } else if (decision.nearLimit(rule.requests())) {
            counters.nearLimit().increment(hits[i]);
          }
          if (refused && rule.shadowMode()) {
            counters.shadowMode().increment(hits[i]);
          }
          boolean blocks = refused && !rule.shadowMode();
          status.setCode(blocks ? Code.OVER_LIMIT : Code.OK);
          if (blocks) {
            overall = Code.OVER_LIMIT;
          }
          applied.add(new RateLimitHeaders.Applied(rule.requests(), rule.windowMillis(), decision.remaining(), resetSeconds, blocks));
        }
        case Verdict.OwnerUnreachable unreachable -> {
          metrics.ownerUnreachable(policy.failureMode().name());
          if (policy.failureMode() == FailureMode.closed) {
            status.setCode(Code.OVER_LIMIT).setCurrentLimit(currentLimit(rule)).setLimitRemaining(0)
                .setDurationUntilReset(Duration.newBuilder().setSeconds(1));
            counters.overLimit().increment(hits[i]);
            overall = Code.OVER_LIMIT;
            applied.add(new RateLimitHeaders.Applied(rule.requests(), rule.windowMillis(), 0, 1, true));
          } else {
            status.setCode(Code.OK);
          }
        }
      }
      response.addStatuses(status);
    }
    if (policy.responseHeaders()) {
      response.addAllResponseHeadersToAdd(RateLimitHeaders.of(applied));
    }
    return response.setOverallCode(overall).build();
  }

  private static RateLimitResponse.RateLimit currentLimit(LimitRule rule) {
    RateLimitResponse.RateLimit.Builder limit = RateLimitResponse.RateLimit.newBuilder()
        .setRequestsPerUnit((int) Math.min(MAX_UINT32, rule.requests()))
        .setUnit(WindowUnits.unitOf(rule.windowMillis()));
    rule.name().ifPresent(limit::setName);
    return limit.build();
  }

  private static Optional<MatchedLimit> match(CompiledPolicy policy, RateLimitDescriptor descriptor) {
    List<DescriptorEntry> entries = new ArrayList<>(descriptor.getEntriesCount());
    for (RateLimitDescriptor.Entry entry : descriptor.getEntriesList()) {
      entries.add(new DescriptorEntry(entry.getKey(), entry.getValue()));
    }
    if (descriptor.hasLimit()) {
      long window = WindowUnits.windowOf(descriptor.getLimit().getUnit());
      if (window > 0) {
        // Envoy's per-descriptor override (RateLimitOverride): as in envoyproxy/ratelimit it
        // replaces the configured limit, is never in shadow mode and counts under the request's
        // own descriptor.
        String path = DescriptorPath.of(entries);
        LimitRule rule = new LimitRule(Integer.toUnsignedLong(descriptor.getLimit().getRequestsPerUnit()), window, false,
            Optional.empty(), List.of(), false, false, policy.domain() + ".override." + path);
        return Optional.of(new MatchedLimit(rule, path, rule.statKey()));
      }
    }
    return policy.match(entries);
  }

  /**
   * Envoy's hits_addend: a descriptor's own (a UInt64Value, so an explicit 0 means "count nothing,
   * just report") overrides the request's, where 0 means unset and counts as 1.
   */
  private static long hitsOf(RateLimitRequest request, RateLimitDescriptor descriptor) {
    if (descriptor.hasHitsAddend()) {
      long value = descriptor.getHitsAddend().getValue();
      return value < 0 ? Long.MAX_VALUE : value;
    }
    int requestLevel = request.getHitsAddend();
    return requestLevel == 0 ? 1 : Integer.toUnsignedLong(requestLevel);
  }
}
