package dev.embassy.ratelimit.cluster;

import dev.embassy.proto.ratelimit.peer.v1.Hit;
import dev.embassy.proto.ratelimit.peer.v1.HitBatch;
import dev.embassy.proto.ratelimit.peer.v1.HitBatchResult;
import dev.embassy.proto.ratelimit.peer.v1.RateLimitPeerGrpc;
import dev.embassy.ratelimit.status.RateLimitMetrics;
import dev.embassy.ratelimit.window.CounterKey;
import dev.embassy.ratelimit.window.CounterStore;
import dev.embassy.ratelimit.window.Decision;
import dev.embassy.ratelimit.window.SlidingWindowCounter;
import dev.embassy.ratelimit.window.WindowState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Global mode (a policy's {@code mode: global}) for keys this node does not own: every hit is
 * answered at once from this node's own view, with no peer hop, and the views are reconciled in
 * the background.
 *
 * <p>The view of a key is the owner's window state as of the last sync plus the hits this node
 * admitted since. Every sync interval, each node sends the hits it admitted (with the window they
 * were admitted in) to the key's owner, which adds them to the authoritative counter and answers
 * with the resulting state; that state, plus whatever was admitted meanwhile, becomes the new view.
 * The owner's own hits are counted exactly, in its counter.
 *
 * <p><b>Over-admission bound.</b> A node learns of another node's admissions at most two sync
 * intervals (plus two round trips) after they happen: the other node's next push, then its own
 * next pull. Within that lag every node may admit against the same remaining quota, so with hits
 * spread over N nodes at a total rate r, a window can admit at most about
 * {@code limit + r × 2 × syncInterval × (N − 1) / N} hits, and never more than {@code N × limit}
 * (each node stops at the limit on its own view). With the default 100 ms interval, 3 nodes and
 * 3,000 hits/s that is about 400 hits over the limit per window at worst. Exact mode has no such
 * excess; global mode trades it for answering hot keys without the hop.
 */
public final class GlobalModeCounters implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GlobalModeCounters.class);
  private static final Duration SYNC_DEADLINE = Duration.ofSeconds(1);

  private final LiveCluster cluster;
  private final CounterStore store;
  private final PeerChannels channels;
  private final Duration syncInterval;
  private final RateLimitMetrics metrics;
  private final ConcurrentHashMap<CounterKey, Entry> entries = new ConcurrentHashMap<>();
  private final ScheduledExecutorService syncer =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("global-sync").daemon().unstarted(r));

  /** This node's view of one key it does not own. */
  private static final class Entry {
    SlidingWindowCounter view;
    /** Hits admitted here and not yet acknowledged by the owner, by the window they belong to. */
    TreeMap<Long, Long> pending = new TreeMap<>();
    long limit;
    long lastUsed;

    Entry(long windowMillis, long now) {
      view = new SlidingWindowCounter(windowMillis, now);
    }
  }

  public GlobalModeCounters(LiveCluster cluster, CounterStore store, PeerChannels channels, Duration syncInterval,
      RateLimitMetrics metrics) {
    this.cluster = cluster;
    this.store = store;
    this.channels = channels;
    this.syncInterval = syncInterval;
    this.metrics = metrics;
  }

  public GlobalModeCounters start() {
    syncer.scheduleWithFixedDelay(this::syncAll, syncInterval.toNanos(), syncInterval.toNanos(), TimeUnit.NANOSECONDS);
    return this;
  }

  /** Answers a hit at once: exactly if this node owns the key, from its view otherwise. */
  public Decision hit(CounterKey key, long limit, long hits) {
    if (cluster.view().ownsLocally(key)) {
      return store.check(key, limit, hits);
    }
    long now = store.clock().nowMillis();
    Entry entry = entries.computeIfAbsent(key, k -> new Entry(k.windowMillis(), now));
    synchronized (entry) {
      entry.limit = limit;
      entry.lastUsed = now;
      Decision decision = hits == 0 ? entry.view.peek(now, limit) : entry.view.check(now, limit, hits);
      if (decision.admitted() && hits > 0) {
        entry.pending.merge(SlidingWindowCounter.alignedStart(now, key.windowMillis()), hits, Long::sum);
      }
      return decision;
    }
  }

  /** Keys with a view here (not owned by this node); for tests and health output. */
  public int size() {
    return entries.size();
  }

  /** Sends every pending hit to its owner now (when leaving the cluster). */
  public void flush() {
    syncAll();
  }

  private void syncAll() {
    try {
      ClusterView view = cluster.view();
      long now = store.clock().nowMillis();
      Map<Member, List<Map.Entry<CounterKey, Map<Long, Long>>>> byOwner = new HashMap<>();
      for (Map.Entry<CounterKey, Entry> e : entries.entrySet()) {
        CounterKey key = e.getKey();
        Entry entry = e.getValue();
        Map<Long, Long> taken;
        synchronized (entry) {
          taken = entry.pending;
          entry.pending = new TreeMap<>();
        }
        Member owner = view.ownerOf(key);
        if (owner.id().equals(view.self().id())) {
          // This node owns the key now: its admitted hits go to its own exact counter.
          taken.forEach((windowStart, hits) -> store.add(key, hits, windowStart));
          entries.remove(key, entry);
          continue;
        }
        boolean recentlyUsed = now - entry.lastUsed < 2 * key.windowMillis();
        if (taken.isEmpty() && !recentlyUsed) {
          entries.remove(key, entry);
          continue;
        }
        byOwner.computeIfAbsent(owner, o -> new ArrayList<>()).add(Map.entry(key, taken));
      }
      List<CompletableFuture<Void>> calls = new ArrayList<>();
      byOwner.forEach((owner, keys) -> calls.add(sync(owner, keys)));
      CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(SYNC_DEADLINE.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("global-mode sync round failed: {}", e.toString());
    }
  }

  private CompletableFuture<Void> sync(Member owner, List<Map.Entry<CounterKey, Map<Long, Long>>> keys) {
    HitBatch.Builder batch = HitBatch.newBuilder().setSender(cluster.self().id());
    List<CounterKey> lastHitOf = new ArrayList<>();
    for (Map.Entry<CounterKey, Map<Long, Long>> key : keys) {
      Entry entry = entries.get(key.getKey());
      long limit = entry == null ? 0 : entry.limit;
      Map<Long, Long> taken = key.getValue();
      if (taken.isEmpty()) {
        // Nothing to add: ask for the owner's state only.
        batch.addHits(Hit.newBuilder().setKey(PeerMessages.toProto(key.getKey())).setLimit(limit)
            .setKind(Hit.Kind.ADD).setHitsAddend(0));
        lastHitOf.add(key.getKey());
      }
      for (Map.Entry<Long, Long> window : taken.entrySet()) {
        batch.addHits(Hit.newBuilder().setKey(PeerMessages.toProto(key.getKey())).setLimit(limit)
            .setKind(Hit.Kind.ADD).setHitsAddend(window.getValue()).setWindowStartEpochMillis(window.getKey()));
        lastHitOf.add(key.getKey());
      }
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    RateLimitPeerGrpc.newStub(channels.channel(owner))
        .withDeadlineAfter(SYNC_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .applyHits(batch.build(), new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(HitBatchResult result) {
            Map<CounterKey, WindowState> latest = new HashMap<>();
            for (int i = 0; i < result.getResultsCount() && i < lastHitOf.size(); i++) {
              latest.put(lastHitOf.get(i), PeerMessages.fromProto(result.getResults(i).getState()));
            }
            latest.forEach(GlobalModeCounters.this::refresh);
            metrics.globalSync("ok");
          }

          @Override
          public void onError(Throwable error) {
            // Keep the hits: they go to whoever owns the key at the next round.
            for (Map.Entry<CounterKey, Map<Long, Long>> key : keys) {
              Entry entry = entries.get(key.getKey());
              if (entry != null) {
                synchronized (entry) {
                  key.getValue().forEach((w, h) -> entry.pending.merge(w, h, Long::sum));
                }
              }
            }
            metrics.globalSync("failed");
            cluster.suspect(owner);
            done.complete(null);
          }

          @Override
          public void onCompleted() {
            done.complete(null);
          }
        });
    return done;
  }

  /** The owner's state, plus the hits admitted here since the sync was taken, becomes the view. */
  private void refresh(CounterKey key, WindowState ownerState) {
    Entry entry = entries.get(key);
    if (entry == null) {
      return;
    }
    synchronized (entry) {
      SlidingWindowCounter view = new SlidingWindowCounter(key.windowMillis(), ownerState);
      long now = store.clock().nowMillis();
      entry.pending.forEach((windowStart, hits) -> view.add(now, hits, windowStart));
      entry.view = view;
    }
  }

  @Override
  public void close() {
    syncer.shutdownNow();
  }
}
