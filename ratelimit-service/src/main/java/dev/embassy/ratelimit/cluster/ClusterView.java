package dev.embassy.ratelimit.cluster;

import dev.embassy.ratelimit.window.CounterKey;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The live members as this node sees them, and who owns which key: rendezvous (highest random
 * weight) hashing, so that a member leaving moves only its own keys and a member joining takes
 * only the keys it now wins, each from one previous owner. Immutable.
 */
public final class ClusterView {
  private final Member self;
  private final List<Member> members;
  private final long[] memberHashes;
  private final long version;

  public ClusterView(Member self, Collection<Member> members, long version) {
    this(self, members, version, true);
  }

  private ClusterView(Member self, Collection<Member> members, long version, boolean includesSelf) {
    this.self = self;
    this.members = members.stream().sorted(Comparator.comparing(Member::id)).toList();
    if (includesSelf && this.members.stream().noneMatch(m -> m.id().equals(self.id()))) {
      throw new IllegalArgumentException("a view always includes this node");
    }
    if (this.members.isEmpty()) {
      throw new IllegalArgumentException("a view has at least one member");
    }
    this.memberHashes = this.members.stream().mapToLong(Member::idHash).toArray();
    this.version = version;
  }

  public static ClusterView solo(Member self) {
    return new ClusterView(self, List.of(self), 0);
  }

  /**
   * The view the other members will have once this node is gone, for handing every counter over
   * when leaving; empty when this node is alone.
   */
  public java.util.Optional<ClusterView> withoutSelf() {
    List<Member> others = members.stream().filter(m -> !m.id().equals(self.id())).toList();
    return others.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(new ClusterView(self, others, version + 1, false));
  }

  public Member self() {
    return self;
  }

  /** Live members, sorted by id, this node included. */
  public List<Member> members() {
    return members;
  }

  public long version() {
    return version;
  }

  public Member ownerOf(CounterKey key) {
    if (members.size() == 1) {
      return members.get(0);
    }
    long keyHash = key.hash64();
    int best = 0;
    long bestScore = Long.MIN_VALUE;
    for (int i = 0; i < memberHashes.length; i++) {
      long score = CounterKey.fmix64(keyHash ^ memberHashes[i]);
      // On a tie (astronomically rare) the lower id wins, the same on every node.
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return members.get(best);
  }

  public boolean ownsLocally(CounterKey key) {
    return ownerOf(key).id().equals(self.id());
  }

  public boolean sameMembers(ClusterView other) {
    return members.equals(other.members);
  }

  @Override
  public String toString() {
    return "view " + version + " " + members.stream().map(Member::id).toList();
  }
}
