package dev.embassy.ratelimit.cluster;

import dev.embassy.ratelimit.status.RateLimitMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's current {@link ClusterView}: the candidates {@link Membership} names, less those
 * {@link PeerProber} finds dead, plus this node. Every change of the member set is published to
 * the listeners (hand-over) and counted as an ownership change.
 */
public final class LiveCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveCluster.class);
  /** Consecutive timed-out probes before a peer that does not refuse connections is declared down. */
  private static final int FAILURES_TO_DOWN = 3;

  private final Member self;
  private final Membership membership;
  private final PeerChannels channels;
  private final PeerProber prober;
  private final RateLimitMetrics metrics;
  private final List<Consumer<ClusterView>> listeners = new CopyOnWriteArrayList<>();
  private volatile ClusterView view;

  public LiveCluster(Member self, Membership membership, PeerChannels channels, Duration probeInterval,
      Duration probeTimeout, RateLimitMetrics metrics) {
    this.self = self;
    this.membership = membership;
    this.channels = channels;
    this.metrics = metrics;
    this.view = ClusterView.solo(self);
    this.prober = new PeerProber(self, membership::candidates, channels, probeInterval, probeTimeout, FAILURES_TO_DOWN, this::recompute);
    membership.onChange(this::recompute);
    metrics.gauge("embassy.ratelimit.members", "Live members in this node's view, itself included", () -> view.members().size());
  }

  public LiveCluster start() {
    prober.start();
    return this;
  }

  public Member self() {
    return self;
  }

  public ClusterView view() {
    return view;
  }

  public Membership membership() {
    return membership;
  }

  /** Whether every candidate has been probed once, so the view is as complete as it can be. */
  public boolean settled() {
    return prober.probedAll();
  }

  public void onViewChange(Consumer<ClusterView> listener) {
    listeners.add(listener);
  }

  /** A call to {@code member} failed; have it probed now. */
  public void suspect(Member member) {
    prober.suspect(member);
  }

  private void recompute() {
    ClusterView next;
    synchronized (this) {
      Set<Member> candidates = membership.candidates();
      Set<String> alive = prober.alive();
      List<Member> members = candidates.stream()
          .filter(m -> m.id().equals(self.id()) || alive.contains(m.id()))
          .toList();
      List<Member> withSelf = members.stream().anyMatch(m -> m.id().equals(self.id()))
          ? members
          : java.util.stream.Stream.concat(members.stream(), java.util.stream.Stream.of(self)).toList();
      channels.retain(candidates);
      ClusterView candidate = new ClusterView(self, withSelf, view.version() + 1);
      if (candidate.sameMembers(view)) {
        return;
      }
      view = candidate;
      next = candidate;
    }
    metrics.membershipChanged();
    LOG.info("membership changed: {}", next);
    for (Consumer<ClusterView> listener : listeners) {
      listener.accept(next);
    }
  }

  @Override
  public void close() {
    prober.close();
    membership.close();
  }
}
