package dev.embassy.ratelimit.cluster;

import dev.embassy.proto.ratelimit.peer.v1.Hit;
import dev.embassy.ratelimit.status.RateLimitMetrics;
import dev.embassy.ratelimit.window.CounterKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the forwarding path (batching forwarder, gRPC client and server, peer service, sliding
 * windows) against this node itself, over its own port, before the node reports SERVING.
 *
 * <p>Why: a just-started JVM runs that path interpreted until the JIT has compiled it, and
 * forwards miss the 15 ms peer deadline; those calls are answered by the policy's failure mode:
 * wrong 429s for a fail-closed policy, unlimited passes for a fail-open one. A rolling restart
 * would do that on every node it replaces. Measured with three fresh nodes taking 300 calls/s
 * (ClusterIT's cold-start mode): without this warm-up a median of 20 of the first second's 300
 * calls, with it 1 (docs/benchmarks.md, "Cold start").
 *
 * <p>Warm-up counters live under a domain no policy can have (policy domains are letters, digits,
 * '_', '.' and '-'), which the peer service keeps in a scratch store apart from the real counters.
 * Its metrics go to a throwaway registry, so the node's forward metrics describe real traffic only.
 */
public final class ForwardingWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(ForwardingWarmUp.class);

  /** Domain of the warm-up's counters. */
  public static final String DOMAIN = "embassy:warm-up";

  /** Enough forwards for the JIT to compile the path (C2 compiles after ~10,000 invocations). */
  static final int ENOUGH_FORWARDS = 30_000;

  private static final int SENDERS = 4;
  private static final int KEYS = 64;

  private ForwardingWarmUp() {}

  /** Whether {@code key} belongs to the warm-up (and so to no policy). */
  public static boolean owns(CounterKey key) {
    return DOMAIN.equals(key.domain());
  }

  /**
   * Forwards hits to this node at {@code host}:{@code port} from a few concurrent senders until
   * {@link #ENOUGH_FORWARDS} are answered or {@code budget} has passed. Stops early when
   * {@code stop} says so (the node is closing). Returns how many forwards were answered.
   */
  public static long run(String host, int port, long batchWindowNanos, int maxBatch, Duration budget,
      BooleanSupplier stop) {
    if (budget.isZero()) {
      return 0;
    }
    long started = System.nanoTime();
    long deadline = started + budget.toNanos();
    Member self = new Member("warm-up", host, port);
    AtomicLong answered = new AtomicLong();
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("warm-up-batch-window").daemon().unstarted(r));
    try (PeerChannels channels = new PeerChannels();
        PeerForwarder forwarder = new PeerForwarder(self, "warm-up", channels.channel(self), batchWindowNanos, maxBatch,
            new RateLimitMetrics(), timer, () -> {})) {
      List<Thread> senders = new ArrayList<>();
      for (int s = 0; s < SENDERS; s++) {
        int sender = s;
        senders.add(Thread.ofPlatform().name("warm-up-" + s).daemon().start(() -> {
          for (long i = sender; answered.get() < ENOUGH_FORWARDS && System.nanoTime() < deadline && !stop.getAsBoolean(); i += SENDERS) {
            Hit hit = Hit.newBuilder()
                .setKey(PeerMessages.toProto(new CounterKey(DOMAIN, "key=" + (i % KEYS), 1_000)))
                .setLimit(1_000_000)
                .setHitsAddend(1)
                .setKind(Hit.Kind.CHECK)
                .build();
            long sent = System.nanoTime();
            try {
              forwarder.submit(hit, Math.min(deadline, sent + TimeUnit.SECONDS.toNanos(1)))
                  .get(Math.max(1, deadline - sent), TimeUnit.NANOSECONDS);
              answered.incrementAndGet();
            } catch (ExecutionException | TimeoutException e) {
              // Not listening yet, or too slow: try again shortly, until the budget runs out.
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        }));
      }
      for (Thread thread : senders) {
        thread.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      timer.shutdownNow();
    }
    long count = answered.get();
    LOG.info("forwarding path warmed up: {} forwards in {} ms{}", count, (System.nanoTime() - started) / 1_000_000,
        count < ENOUGH_FORWARDS ? "; the budget ran out first" : "");
    return count;
  }
}
