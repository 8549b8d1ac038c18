package dev.embassy.ratelimit.cluster;

import dev.embassy.proto.ratelimit.peer.v1.RateLimitPeerGrpc;
import dev.embassy.proto.ratelimit.peer.v1.WindowStateBatch;
import dev.embassy.ratelimit.status.RateLimitMetrics;
import dev.embassy.ratelimit.window.CounterKey;
import dev.embassy.ratelimit.window.CounterStore;
import dev.embassy.ratelimit.window.WindowState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands counters to their owner. Runs at once when the membership changes (a joining node takes
 * its keys' current windows from their previous owners, so limits do not reset) and every sweep
 * interval (counters that landed on a non-owner while views disagreed, and retries of failed
 * hand-overs). A counter is removed from this node before it is sent and merged back if the send
 * fails, so every hit is counted once, on whichever node ends up holding it. The sweep also drops
 * idle counters.
 */
public final class HandOverSweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HandOverSweeper.class);
  private static final int STATES_PER_CALL = 1_000;
  private static final Duration CALL_DEADLINE = Duration.ofSeconds(2);

  private final LiveCluster cluster;
  private final CounterStore store;
  private final PeerChannels channels;
  private final Duration interval;
  private final RateLimitMetrics metrics;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("handover").daemon().unstarted(r));

  public HandOverSweeper(LiveCluster cluster, CounterStore store, PeerChannels channels, Duration interval,
      RateLimitMetrics metrics) {
    this.cluster = cluster;
    this.store = store;
    this.channels = channels;
    this.interval = interval;
    this.metrics = metrics;
  }

  public HandOverSweeper start() {
    cluster.onViewChange(view -> executor.execute(() -> sweep(cluster.view())));
    executor.scheduleWithFixedDelay(() -> {
      sweep(cluster.view());
      store.evictIdle();
    }, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
    return this;
  }

  /**
   * Sends every counter {@code view} says this node does not own to its owner; returns how many
   * were handed over. Used with a view without this node when it leaves.
   */
  public int sweep(ClusterView view) {
    try {
      Map<CounterKey, WindowState> moving = store.detach(key -> !view.ownsLocally(key));
      if (moving.isEmpty()) {
        return 0;
      }
      Map<Member, List<Map.Entry<CounterKey, WindowState>>> byOwner = new HashMap<>();
      moving.forEach((key, state) -> byOwner.computeIfAbsent(view.ownerOf(key), o -> new ArrayList<>()).add(Map.entry(key, state)));
      int sent = 0;
      for (Map.Entry<Member, List<Map.Entry<CounterKey, WindowState>>> owner : byOwner.entrySet()) {
        List<Map.Entry<CounterKey, WindowState>> states = owner.getValue();
        for (int from = 0; from < states.size(); from += STATES_PER_CALL) {
          sent += send(owner.getKey(), states.subList(from, Math.min(states.size(), from + STATES_PER_CALL)));
        }
      }
      if (sent > 0) {
        LOG.info("handed {} counters to their owners ({})", sent, view);
      }
      return sent;
    } catch (RuntimeException e) {
      LOG.error("hand-over sweep failed", e);
      return 0;
    }
  }

  private int send(Member owner, List<Map.Entry<CounterKey, WindowState>> states) {
    if (owner.id().equals(cluster.self().id())) {
      states.forEach(e -> store.merge(e.getKey(), e.getValue()));
      return 0;
    }
    WindowStateBatch.Builder batch = WindowStateBatch.newBuilder().setSender(cluster.self().id());
    states.forEach(e -> batch.addStates(PeerMessages.toProto(e.getKey(), e.getValue())));
    try {
      RateLimitPeerGrpc.newBlockingStub(channels.channel(owner))
          .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .handOver(batch.build());
      metrics.handOverSent(states.size());
      return states.size();
    } catch (RuntimeException e) {
      // Keep the counts here; the next sweep sends them to whoever owns them then.
      states.forEach(s -> store.merge(s.getKey(), s.getValue()));
      metrics.handOverFailed(states.size());
      cluster.suspect(owner);
      LOG.warn("hand-over of {} counters to {} failed, kept for the next sweep: {}", states.size(), owner, e.getMessage());
      return 0;
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
