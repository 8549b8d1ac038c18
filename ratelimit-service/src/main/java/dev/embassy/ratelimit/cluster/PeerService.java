package dev.embassy.ratelimit.cluster;

import dev.embassy.proto.ratelimit.peer.v1.HandOverResult;
import dev.embassy.proto.ratelimit.peer.v1.Hit;
import dev.embassy.proto.ratelimit.peer.v1.HitBatch;
import dev.embassy.proto.ratelimit.peer.v1.HitBatchResult;
import dev.embassy.proto.ratelimit.peer.v1.HitResult;
import dev.embassy.proto.ratelimit.peer.v1.RateLimitPeerGrpc;
import dev.embassy.proto.ratelimit.peer.v1.WindowStateBatch;
import dev.embassy.ratelimit.status.RateLimitMetrics;
import dev.embassy.ratelimit.window.CounterKey;
import dev.embassy.ratelimit.window.CounterStore;
import dev.embassy.ratelimit.window.WindowState;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * The receiving side of the peer protocol. Hits are applied to this node's counters in batch
 * order and never forwarded again (one hop at most, see peer.proto); hand-overs are added to them.
 * Hits of the node's warm-up ({@link ForwardingWarmUp}) go to a scratch store of the same kind:
 * the same code runs, and no warm-up counter can reach the real ones, not even one that arrives
 * after the warm-up gave up on it.
 */
public final class PeerService extends RateLimitPeerGrpc.RateLimitPeerImplBase {
  private final CounterStore store;
  private final CounterStore warmUpStore;
  private final RateLimitMetrics metrics;

  public PeerService(CounterStore store, RateLimitMetrics metrics) {
    this.store = store;
    this.warmUpStore = new CounterStore(store.clock());
    this.metrics = metrics;
  }

  @Override
  public void applyHits(HitBatch batch, StreamObserver<HitBatchResult> response) {
    HitBatchResult.Builder results = HitBatchResult.newBuilder();
    try {
      for (Hit hit : batch.getHitsList()) {
        CounterKey key = PeerMessages.fromProto(hit.getKey());
        CounterStore store = ForwardingWarmUp.owns(key) ? warmUpStore : this.store;
        long hits = hit.getHitsAddend() < 0 ? Long.MAX_VALUE : hit.getHitsAddend();
        if (hit.getKind() == Hit.Kind.ADD) {
          WindowState state = store.add(key, hits, hit.getWindowStartEpochMillis());
          results.addResults(HitResult.newBuilder().setState(PeerMessages.toProto(key, state)));
        } else {
          long limit = hit.getLimit() < 0 ? Long.MAX_VALUE : hit.getLimit();
          results.addResults(PeerMessages.toProto(store.check(key, limit, hits)));
        }
      }
    } catch (IllegalArgumentException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    response.onNext(results.build());
    response.onCompleted();
  }

  @Override
  public void handOver(WindowStateBatch batch, StreamObserver<HandOverResult> response) {
    int accepted = 0;
    try {
      for (dev.embassy.proto.ratelimit.peer.v1.WindowState state : batch.getStatesList()) {
        store.merge(PeerMessages.fromProto(state.getKey()), PeerMessages.fromProto(state));
        accepted++;
      }
    } catch (IllegalArgumentException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    } finally {
      metrics.handOverReceived(accepted);
    }
    response.onNext(HandOverResult.newBuilder().setAccepted(accepted).build());
    response.onCompleted();
  }
}
