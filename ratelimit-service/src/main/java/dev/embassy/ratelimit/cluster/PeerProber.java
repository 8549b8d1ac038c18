package dev.embassy.ratelimit.cluster;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which candidate peers are alive, by calling their grpc.health.v1 service every probe
 * interval (a node reports SERVING only once it has policies, has probed its own peers and has
 * warmed its forwarding path, and NOT_SERVING as soon as it starts leaving).
 *
 * <p>A peer is down at once when it refuses connections or says it is not serving (a killed
 * process or a leaving node: the answer is certain), and after {@code failuresToDown} probes in a
 * row that time out (a slow or partitioned node: one late answer on a busy machine must not move
 * keys around). One SERVING answer brings it back. A failed forward asks for an immediate probe.
 */
public final class PeerProber implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerProber.class);

  private final Member self;
  private final Supplier<Set<Member>> candidates;
  private final PeerChannels channels;
  private final Duration timeout;
  private final int failuresToDown;
  private final Runnable onChange;
  private final ConcurrentHashMap<String, PeerState> states = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("peer-prober").daemon().unstarted(r));
  private final Duration interval;

  private static final class PeerState {
    volatile boolean alive;
    volatile boolean answered;
    int consecutiveFailures;
    volatile boolean inFlight;
  }

  public PeerProber(Member self, Supplier<Set<Member>> candidates, PeerChannels channels, Duration interval,
      Duration timeout, int failuresToDown, Runnable onChange) {
    this.self = self;
    this.candidates = candidates;
    this.channels = channels;
    this.interval = interval;
    this.timeout = timeout;
    this.failuresToDown = failuresToDown;
    this.onChange = onChange;
  }

  public PeerProber start() {
    scheduler.scheduleWithFixedDelay(this::probeAll, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    return this;
  }

  /** The ids of peers whose last probes say they are alive (this node not included). */
  public Set<String> alive() {
    return states.entrySet().stream().filter(e -> e.getValue().alive).map(e -> e.getKey()).collect(Collectors.toSet());
  }

  /** Whether every current candidate has answered (or failed) at least one probe. */
  public boolean probedAll() {
    for (Member member : candidates.get()) {
      if (member.id().equals(self.id())) {
        continue;
      }
      PeerState state = states.get(member.id());
      if (state == null || !state.answered) {
        return false;
      }
    }
    return true;
  }

  /** A call to {@code member} just failed: probe it now rather than at the next interval. */
  public void suspect(Member member) {
    scheduler.execute(() -> probe(member));
  }

  private void probeAll() {
    Set<Member> current = candidates.get();
    Set<String> ids = current.stream().map(Member::id).collect(Collectors.toSet());
    boolean removed = states.keySet().removeIf(id -> !ids.contains(id));
    for (Member member : current) {
      if (!member.id().equals(self.id())) {
        probe(member);
      }
    }
    if (removed) {
      onChange.run();
    }
  }

  private void probe(Member member) {
    PeerState state = states.computeIfAbsent(member.id(), id -> new PeerState());
    if (state.inFlight) {
      return;
    }
    state.inFlight = true;
    ManagedChannel channel = channels.channel(member);
    if (!state.alive) {
      // grpc-java backs off reconnecting for up to two minutes after failures; a node that comes
      // back must be seen at the next probe, not minutes later.
      channel.resetConnectBackoff();
    }
    Futures.addCallback(
        HealthGrpc.newFutureStub(channel).withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
            .check(HealthCheckRequest.getDefaultInstance()),
        new FutureCallback<>() {
          @Override
          public void onSuccess(HealthCheckResponse response) {
            state.inFlight = false;
            if (response.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
              up(member, state);
            } else {
              down(member, state, "not serving");
            }
          }

          @Override
          public void onFailure(Throwable error) {
            state.inFlight = false;
            Status status = Status.fromThrowable(error);
            if (status.getCode() == Status.Code.UNAVAILABLE) {
              down(member, state, "unavailable: " + status.getDescription());
            } else {
              synchronized (state) {
                state.consecutiveFailures++;
                if (state.consecutiveFailures < failuresToDown && state.alive) {
                  return;
                }
              }
              down(member, state, status.getCode() + " " + failuresToDown + " times");
            }
          }
        },
        MoreExecutors.directExecutor());
  }

  private void up(Member member, PeerState state) {
    boolean changed;
    synchronized (state) {
      state.consecutiveFailures = 0;
      changed = !state.alive;
      state.alive = true;
      state.answered = true;
    }
    if (changed) {
      LOG.info("peer {} is up", member);
      onChange.run();
    }
  }

  private void down(Member member, PeerState state, String why) {
    boolean changed;
    synchronized (state) {
      changed = state.alive;
      state.alive = false;
      state.answered = true;
    }
    if (changed) {
      LOG.warn("peer {} is down ({})", member, why);
      onChange.run();
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
