package dev.embassy.ratelimit;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop RLS client for the cluster tests: sends ShouldRateLimit at a fixed total rate,
 * round-robin over the nodes it is told to use, without waiting for answers, and records every
 * outcome with the time it was sent.
 */
final class RlsLoad implements AutoCloseable {
  enum Kind {
    ADMITTED,
    LIMITED,
    /** OK without a current limit: the key's owner was unreachable and the policy fails open. */
    FAILED_OPEN,
    ERROR
  }

  record Outcome(long sentMillis, String node, Kind kind) {}

  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private final AtomicLong inFlight = new AtomicLong();
  private volatile List<String> targets;

  RlsLoad(Map<String, Integer> grpcPortByNode) {
    grpcPortByNode.forEach((id, port) -> channels.put(id,
        Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).directExecutor().build()));
    targets = List.copyOf(grpcPortByNode.keySet());
  }

  /** From now on, send only to these nodes (e.g. after killing one). */
  void useOnly(List<String> nodes) {
    targets = List.copyOf(nodes);
  }

  /** One answer, synchronously, from {@code node}. */
  RateLimitResponse call(String node, RateLimitRequest request) {
    return RateLimitServiceGrpc.newBlockingStub(channels.get(node)).withDeadlineAfter(5, TimeUnit.SECONDS).shouldRateLimit(request);
  }

  /**
   * Sends {@code request} at {@code ratePerSecond} for {@code duration}, starting at
   * {@code startMillis} (epoch), and waits for the last answers. {@code during} runs once at
   * {@code actionAtMillis} on the sending thread's schedule (e.g. killing a node); pass -1 for none.
   */
  List<Outcome> run(RateLimitRequest request, double ratePerSecond, long startMillis, Duration duration, long actionAtMillis, Runnable during) {
    long intervalNanos = (long) (1_000_000_000L / ratePerSecond);
    long startNanos = System.nanoTime() + (startMillis - System.currentTimeMillis()) * 1_000_000L;
    long endNanos = startNanos + duration.toNanos();
    long actionNanos = actionAtMillis < 0 ? Long.MAX_VALUE : startNanos + (actionAtMillis - startMillis) * 1_000_000L;
    outcomes.clear();
    long next = startNanos;
    long sent = 0;
    while (next < endNanos) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      if (next >= actionNanos) {
        actionNanos = Long.MAX_VALUE;
        during.run();
      }
      List<String> nodes = targets;
      String node = nodes.get((int) (sent % nodes.size()));
      send(node, request, startMillis + (next - startNanos) / 1_000_000L);
      sent++;
      next += intervalNanos;
    }
    long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (inFlight.get() > 0 && System.nanoTime() < drainUntil) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    return new ArrayList<>(outcomes);
  }

  private void send(String node, RateLimitRequest request, long sentMillis) {
    inFlight.incrementAndGet();
    Futures.addCallback(
        RateLimitServiceGrpc.newFutureStub(channels.get(node)).withDeadlineAfter(2, TimeUnit.SECONDS).shouldRateLimit(request),
        new FutureCallback<>() {
          @Override
          public void onSuccess(RateLimitResponse response) {
            Kind kind = response.getOverallCode() == RateLimitResponse.Code.OVER_LIMIT ? Kind.LIMITED
                : response.getStatuses(0).hasCurrentLimit() ? Kind.ADMITTED : Kind.FAILED_OPEN;
            outcomes.add(new Outcome(sentMillis, node, kind));
            inFlight.decrementAndGet();
          }

          @Override
          public void onFailure(Throwable error) {
            outcomes.add(new Outcome(sentMillis, node, Kind.ERROR));
            inFlight.decrementAndGet();
          }
        },
        MoreExecutors.directExecutor());
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
