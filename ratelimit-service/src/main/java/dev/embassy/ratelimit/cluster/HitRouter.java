package dev.embassy.ratelimit.cluster;

import dev.embassy.config.model.RateLimitPolicy.Mode;
import dev.embassy.proto.ratelimit.peer.v1.Hit;
import dev.embassy.ratelimit.status.RateLimitMetrics;
import dev.embassy.ratelimit.window.CounterKey;
import dev.embassy.ratelimit.window.CounterStore;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;

/**
 * Sends each hit to where it is decided: this node's counters when it owns the key, the owner's
 * (through that peer's batching {@link PeerForwarder}) otherwise, or this node's global-mode view
 * for policies in global mode.
 */
public final class HitRouter implements AutoCloseable {
  private final LiveCluster cluster;
  private final CounterStore store;
  private final PeerChannels channels;
  private final GlobalModeCounters global;
  private final long batchWindowNanos;
  private final int maxBatch;
  private final long peerTimeoutNanos;
  private final RateLimitMetrics metrics;
  private final ConcurrentHashMap<String, PeerForwarder> forwarders = new ConcurrentHashMap<>();
  /** Fires batch-window deadlines for every peer; idle unless a batch waits behind a slow one. */
  private final ScheduledExecutorService windowTimer =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("forward-window").daemon().unstarted(r));

  public HitRouter(LiveCluster cluster, CounterStore store, PeerChannels channels, GlobalModeCounters global,
      Duration batchWindow, int maxBatch, Duration peerTimeout, RateLimitMetrics metrics) {
    this.cluster = cluster;
    this.store = store;
    this.channels = channels;
    this.global = global;
    this.batchWindowNanos = batchWindow.toNanos();
    this.maxBatch = maxBatch;
    this.peerTimeoutNanos = peerTimeout.toNanos();
    this.metrics = metrics;
    cluster.onViewChange(this::closeForwardersOutside);
  }

  /**
   * Decides {@code hits} on {@code key}.
   *
   * @param callDeadlineNanos the {@link System#nanoTime()} by which Envoy's call must be answered
   *     ({@link Long#MAX_VALUE} when the caller set no deadline); a forward gets the smaller of
   *     that and the peer timeout
   */
  public CompletableFuture<Verdict> hit(CounterKey key, long limit, long hits, Mode mode, long callDeadlineNanos) {
    if (mode == Mode.global) {
      return CompletableFuture.completedFuture(new Verdict.Counted(global.hit(key, limit, hits)));
    }
    ClusterView view = cluster.view();
    Member owner = view.ownerOf(key);
    if (owner.id().equals(view.self().id())) {
      return CompletableFuture.completedFuture(new Verdict.Counted(store.check(key, limit, hits)));
    }
    long now = System.nanoTime();
    long deadline = callDeadlineNanos - now < peerTimeoutNanos ? callDeadlineNanos : now + peerTimeoutNanos;
    Hit hit = Hit.newBuilder()
        .setKey(PeerMessages.toProto(key))
        .setLimit(limit)
        .setHitsAddend(hits)
        .setKind(Hit.Kind.CHECK)
        .build();
    return forwarder(owner).submit(hit, deadline).handle((result, error) -> error == null
        ? new Verdict.Counted(PeerMessages.fromProto(result))
        : new Verdict.OwnerUnreachable(owner.id(), String.valueOf(error.getMessage())));
  }

  private PeerForwarder forwarder(Member owner) {
    PeerForwarder existing = forwarders.get(owner.id());
    if (existing != null && existing.peer().equals(owner)) {
      return existing;
    }
    return forwarders.compute(owner.id(), (id, current) -> {
      if (current != null && current.peer().equals(owner)) {
        return current;
      }
      if (current != null) {
        current.close();
      }
      return new PeerForwarder(owner, cluster.self().id(), channels.channel(owner), batchWindowNanos, maxBatch, metrics,
          windowTimer, () -> cluster.suspect(owner));
    });
  }

  private void closeForwardersOutside(ClusterView view) {
    Set<String> live = view.members().stream().map(Member::id).collect(Collectors.toSet());
    forwarders.entrySet().removeIf(entry -> {
      if (live.contains(entry.getKey())) {
        return false;
      }
      entry.getValue().close();
      return true;
    });
  }

  @Override
  public void close() {
    forwarders.values().forEach(PeerForwarder::close);
    forwarders.clear();
    windowTimer.shutdownNow();
  }
}
