package dev.embassy.ratelimit.cluster;

import dev.embassy.proto.ratelimit.peer.v1.Hit;
import dev.embassy.proto.ratelimit.peer.v1.HitBatch;
import dev.embassy.proto.ratelimit.peer.v1.HitBatchResult;
import dev.embassy.proto.ratelimit.peer.v1.HitResult;
import dev.embassy.proto.ratelimit.peer.v1.RateLimitPeerGrpc;
import dev.embassy.ratelimit.status.RateLimitMetrics;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Forwards hits to one peer in batches, adaptively: a hit that finds no batch in flight to the
 * peer goes out at once, as a batch of one, from the caller's thread (no added wait, no thread
 * hand-off at low load); hits that arrive while a batch is in flight gather and go out together
 * when that batch is answered, or when the oldest of them has waited the batch window (at most
 * 500 µs), or when they reach {@code maxBatch}, whichever comes first. Under load this sends one
 * ApplyHits per peer per round trip or window instead of one per hit.
 *
 * <p>The first design used a sender thread per peer that parked for the window; on a busy machine
 * waking it cost more than the window itself (batch waits of 5-12 ms were measured with 3 nodes
 * and the load generator on two cores), so sends now happen on threads that are already running:
 * the request thread or the gRPC callback of the previous batch. Only the window deadline needs a
 * timer, and only while a batch is in flight with hits waiting behind it.
 *
 * <p>A batch's deadline is the earliest deadline of its hits, which come from Envoy's own (the
 * RLS call's grpc-timeout), so a forward never outlives the call it serves.
 */
final class PeerForwarder implements AutoCloseable {
  /** A hit waiting for its batch. */
  private record Pending(Hit hit, long deadlineNanos, long enqueuedNanos, CompletableFuture<HitResult> result) {}

  private final Member peer;
  private final String sender;
  private final RateLimitPeerGrpc.RateLimitPeerStub stub;
  private final long windowNanos;
  private final int maxBatch;
  private final RateLimitMetrics metrics;
  private final Runnable onFailure;
  private final ScheduledExecutorService timer;
  private final ReentrantLock lock = new ReentrantLock();
  /** Guarded by {@link #lock}. */
  private List<Pending> waiting = new ArrayList<>();
  /** Guarded by {@link #lock}. */
  private int inFlight;
  /** Guarded by {@link #lock}: a window deadline is scheduled for the current waiting batch. */
  private boolean timerArmed;
  /** Guarded by {@link #lock}. */
  private boolean closed;

  PeerForwarder(Member peer, String sender, ManagedChannel channel, long windowNanos, int maxBatch,
      RateLimitMetrics metrics, ScheduledExecutorService timer, Runnable onFailure) {
    this.peer = peer;
    this.sender = sender;
    this.stub = RateLimitPeerGrpc.newStub(channel);
    this.windowNanos = windowNanos;
    this.maxBatch = maxBatch;
    this.metrics = metrics;
    this.timer = timer;
    this.onFailure = onFailure;
  }

  Member peer() {
    return peer;
  }

  /** Queues {@code hit}; the future fails if the peer does not answer before the deadline. */
  CompletableFuture<HitResult> submit(Hit hit, long deadlineNanos) {
    Pending pending = new Pending(hit, deadlineNanos, System.nanoTime(), new CompletableFuture<>());
    List<Pending> batch = null;
    lock.lock();
    try {
      if (closed) {
        pending.result().completeExceptionally(new IllegalStateException("forwarder to " + peer + " is closed"));
        return pending.result();
      }
      waiting.add(pending);
      if (inFlight == 0 || waiting.size() >= maxBatch || windowNanos == 0) {
        batch = takeWaiting();
      } else if (!timerArmed) {
        timerArmed = true;
        timer.schedule(this::windowElapsed, windowNanos, TimeUnit.NANOSECONDS);
      }
    } finally {
      lock.unlock();
    }
    if (batch != null) {
      send(batch);
    }
    return pending.result();
  }

  /** The oldest waiting hit has waited the window: send what waits, even with a batch in flight. */
  private void windowElapsed() {
    List<Pending> batch = null;
    lock.lock();
    try {
      timerArmed = false;
      if (!waiting.isEmpty()) {
        long oldest = waiting.get(0).enqueuedNanos();
        long left = oldest + windowNanos - System.nanoTime();
        if (left > 0) {
          // The batch this timer was armed for went out; the next one started later.
          timerArmed = true;
          timer.schedule(this::windowElapsed, left, TimeUnit.NANOSECONDS);
        } else {
          batch = takeWaiting();
        }
      }
    } finally {
      lock.unlock();
    }
    if (batch != null) {
      send(batch);
    }
  }

  /** A batch was answered (or failed): what waited behind it goes now. */
  private void batchDone() {
    List<Pending> batch = null;
    lock.lock();
    try {
      inFlight--;
      if (!waiting.isEmpty()) {
        batch = takeWaiting();
      }
    } finally {
      lock.unlock();
    }
    if (batch != null) {
      send(batch);
    }
  }

  /** Caller holds the lock. */
  private List<Pending> takeWaiting() {
    List<Pending> batch = waiting;
    waiting = new ArrayList<>(Math.min(maxBatch, Math.max(4, batch.size())));
    inFlight++;
    return batch;
  }

  private void send(List<Pending> batch) {
    long now = System.nanoTime();
    HitBatch.Builder request = HitBatch.newBuilder().setSender(sender);
    List<Pending> sent = new ArrayList<>(batch.size());
    long deadline = Long.MAX_VALUE;
    for (Pending pending : batch) {
      if (pending.deadlineNanos() - now <= 0) {
        pending.result().completeExceptionally(new IllegalStateException("deadline passed before the forward to " + peer));
        continue;
      }
      request.addHits(pending.hit());
      sent.add(pending);
      deadline = Math.min(deadline, pending.deadlineNanos());
    }
    if (sent.isEmpty()) {
      batchDone();
      return;
    }
    long waited = now - batch.get(0).enqueuedNanos();
    long callDeadline = deadline;
    // The batch carries hits of many Envoy calls, so it must not belong to the one whose thread
    // happens to send it: in that call's gRPC Context it would be cancelled the moment that call
    // is answered, failing everyone else's hits with it.
    Context.ROOT.run(() -> call(request.build(), sent, waited, callDeadline));
  }

  private void call(HitBatch request, List<Pending> sent, long waited, long deadline) {
    long started = System.nanoTime();
    stub.withDeadlineAfter(deadline - started, TimeUnit.NANOSECONDS).applyHits(request, new StreamObserver<>() {
      @Override
      public void onNext(HitBatchResult response) {
        metrics.forwarded(peer.id(), System.nanoTime() - started, sent.size(), waited);
        if (response.getResultsCount() != sent.size()) {
          failAll(sent, new IllegalStateException(peer + " answered " + response.getResultsCount() + " results for " + sent.size() + " hits"));
          return;
        }
        for (int i = 0; i < sent.size(); i++) {
          sent.get(i).result().complete(response.getResults(i));
        }
      }

      @Override
      public void onError(Throwable error) {
        failAll(sent, error);
        batchDone();
        onFailure.run();
      }

      @Override
      public void onCompleted() {
        batchDone();
      }
    });
  }

  private static void failAll(List<Pending> pendings, Throwable error) {
    for (Pending pending : pendings) {
      pending.result().completeExceptionally(error);
    }
  }

  @Override
  public void close() {
    List<Pending> left;
    lock.lock();
    try {
      closed = true;
      left = waiting;
      waiting = new ArrayList<>();
    } finally {
      lock.unlock();
    }
    failAll(left, new IllegalStateException("forwarder to " + peer + " closed"));
  }
}
