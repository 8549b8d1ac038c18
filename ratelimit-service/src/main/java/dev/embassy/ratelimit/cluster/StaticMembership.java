package dev.embassy.ratelimit.cluster;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A fixed list of nodes (EMBASSY_RATELIMIT_PEERS). Every node of the cluster gets the same list;
 * nodes that are down are left out of ownership by {@link PeerProber} until they answer again, so
 * the list may name nodes that join later.
 */
public final class StaticMembership implements Membership {
  private final Set<Member> candidates;

  public StaticMembership(Member self, List<Member> peers) {
    Set<Member> all = new LinkedHashSet<>();
    all.add(self);
    for (Member peer : peers) {
      if (peer.id().equals(self.id())) {
        continue;
      }
      if (all.stream().anyMatch(m -> m.id().equals(peer.id()))) {
        throw new IllegalArgumentException("member id " + peer.id() + " appears twice in the peer list");
      }
      all.add(peer);
    }
    this.candidates = Set.copyOf(all);
  }

  @Override
  public Set<Member> candidates() {
    return candidates;
  }

  @Override
  public void onChange(Runnable listener) {
    // A static list never changes.
  }

  @Override
  public boolean healthy() {
    return true;
  }

  @Override
  public String describe() {
    return "static";
  }

  @Override
  public void close() {}
}
