package dev.embassy.ratelimit.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.proto.ratelimit.peer.v1.CounterKey;
import dev.embassy.proto.ratelimit.peer.v1.Hit;
import dev.embassy.proto.ratelimit.peer.v1.HitBatch;
import dev.embassy.proto.ratelimit.peer.v1.HitBatchResult;
import dev.embassy.proto.ratelimit.peer.v1.HitResult;
import dev.embassy.proto.ratelimit.peer.v1.RateLimitPeerGrpc;
import dev.embassy.ratelimit.status.RateLimitMetrics;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batching rules of {@link PeerForwarder}, against a peer whose answers the test controls. */
class PeerForwarderTest {
  private final List<HitBatch> received = new CopyOnWriteArrayList<>();
  private final List<StreamObserver<HitBatchResult>> unanswered = new CopyOnWriteArrayList<>();
  private final CountDownLatch firstArrived = new CountDownLatch(1);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private Server server;
  private ManagedChannel channel;

  private PeerForwarder forwarder(long windowNanos, int maxBatch) throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(new RateLimitPeerGrpc.RateLimitPeerImplBase() {
      @Override
      public void applyHits(HitBatch batch, StreamObserver<HitBatchResult> response) {
        received.add(batch);
        unanswered.add(response);
        firstArrived.countDown();
      }
    }).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    return new PeerForwarder(new Member("peer", "127.0.0.1", 1), "me", channel, windowNanos, maxBatch, new RateLimitMetrics(), timer, () -> {});
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
    timer.shutdownNow();
  }

  @Test
  void aHitWithNothingInFlightGoesAtOnceAndTheRestWaitForItsAnswer() throws Exception {
    // A window far longer than the test: only answers release waiting hits here.
    PeerForwarder forwarder = forwarder(TimeUnit.SECONDS.toNanos(60), 1000);
    List<CompletableFuture<HitResult>> results = new ArrayList<>();
    results.add(forwarder.submit(hit(0), far()));
    assertThat(firstArrived.await(5, TimeUnit.SECONDS)).isTrue();
    for (int i = 1; i < 10; i++) {
      results.add(forwarder.submit(hit(i), far()));
    }
    assertThat(received).hasSize(1);
    assertThat(received.get(0).getHitsCount()).isEqualTo(1);
    answer(0);
    // The nine that waited went out together, in order, as soon as the first batch was answered.
    assertThat(received).hasSize(2);
    assertThat(received.get(1).getHitsList()).extracting(h -> h.getKey().getDescriptorPath())
        .containsExactly("k=1", "k=2", "k=3", "k=4", "k=5", "k=6", "k=7", "k=8", "k=9");
    answer(1);
    for (int i = 0; i < results.size(); i++) {
      assertThat(results.get(i).get(5, TimeUnit.SECONDS).getLimitRemaining()).isEqualTo(i);
    }
  }

  @Test
  void waitingHitsGoWhenTheWindowEndsEvenIfTheBatchInFlightIsSlow() throws Exception {
    PeerForwarder forwarder = forwarder(TimeUnit.MICROSECONDS.toNanos(500), 1000);
    forwarder.submit(hit(0), far());
    assertThat(firstArrived.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<HitResult> second = forwarder.submit(hit(1), far());
    // The first batch is never answered; the second still leaves once its window has passed.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (received.size() < 2 && System.nanoTime() < until) {
      Thread.sleep(1);
    }
    assertThat(received).hasSize(2);
    answer(1);
    assertThat(second.get(5, TimeUnit.SECONDS).getLimitRemaining()).isEqualTo(1);
  }

  @Test
  void aFullBatchGoesWithoutWaiting() throws Exception {
    PeerForwarder forwarder = forwarder(TimeUnit.SECONDS.toNanos(60), 3);
    forwarder.submit(hit(0), far());
    assertThat(firstArrived.await(5, TimeUnit.SECONDS)).isTrue();
    forwarder.submit(hit(1), far());
    forwarder.submit(hit(2), far());
    assertThat(received).hasSize(1);
    forwarder.submit(hit(3), far());
    assertThat(received).hasSize(2);
    assertThat(received.get(1).getHitsCount()).isEqualTo(3);
  }

  @Test
  void hitsPastTheirDeadlineFailWithoutBeingSent() throws Exception {
    PeerForwarder forwarder = forwarder(TimeUnit.SECONDS.toNanos(60), 1000);
    CompletableFuture<HitResult> late = forwarder.submit(hit(0), System.nanoTime() - 1);
    assertThat(late).isCompletedExceptionally();
    assertThat(received).isEmpty();
    forwarder.close();
    assertThat(forwarder.submit(hit(1), far())).isCompletedExceptionally();
  }

  /** Answers batch {@code index} with remaining = each hit's number, in order. */
  private void answer(int index) {
    HitBatchResult.Builder result = HitBatchResult.newBuilder();
    for (Hit hit : received.get(index).getHitsList()) {
      result.addResults(HitResult.newBuilder().setLimitRemaining(Long.parseLong(hit.getKey().getDescriptorPath().substring(2))));
    }
    StreamObserver<HitBatchResult> response = unanswered.get(index);
    response.onNext(result.build());
    response.onCompleted();
  }

  private static Hit hit(int i) {
    return Hit.newBuilder().setKey(CounterKey.newBuilder().setDomain("d").setDescriptorPath("k=" + i).setWindowMillis(1000))
        .setLimit(100).setHitsAddend(1).build();
  }

  private static long far() {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
  }
}
