package dev.embassy.ratelimit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embassy.ratelimit.window.CounterKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterViewTest {
  private static final Member A = new Member("a", "127.0.0.1", 1001);
  private static final Member B = new Member("b", "127.0.0.1", 1002);
  private static final Member C = new Member("c", "127.0.0.1", 1003);
  private static final Member D = new Member("d", "127.0.0.1", 1004);

  @Test
  void everyNodeComputesTheSameOwnerWhateverItsOwnIdentity() {
    ClusterView fromA = new ClusterView(A, List.of(C, A, B), 1);
    ClusterView fromC = new ClusterView(C, List.of(B, C, A), 7);
    for (int i = 0; i < 1_000; i++) {
      CounterKey key = key(i);
      assertThat(fromA.ownerOf(key)).isEqualTo(fromC.ownerOf(key));
    }
  }

  @Test
  void keysSpreadEvenly() {
    ClusterView view = new ClusterView(A, List.of(A, B, C), 1);
    Map<String, Integer> owned = new HashMap<>();
    for (int i = 0; i < 30_000; i++) {
      owned.merge(view.ownerOf(key(i)).id(), 1, Integer::sum);
    }
    assertThat(owned.values()).allSatisfy(n -> assertThat(n).isBetween(9_000, 11_000));
  }

  @Test
  void aLeavingMemberMovesOnlyItsOwnKeysAndAJoiningOneTakesOnlyWhatItWins() {
    ClusterView three = new ClusterView(A, List.of(A, B, C), 1);
    ClusterView withoutC = new ClusterView(A, List.of(A, B), 2);
    ClusterView withD = new ClusterView(A, List.of(A, B, C, D), 3);
    int movedToD = 0;
    for (int i = 0; i < 10_000; i++) {
      CounterKey key = key(i);
      Member before = three.ownerOf(key);
      if (!before.equals(C)) {
        assertThat(withoutC.ownerOf(key)).as("key %d did not belong to c", i).isEqualTo(before);
      }
      Member after = withD.ownerOf(key);
      if (after.equals(D)) {
        movedToD++;
      } else {
        assertThat(after).as("key %d stays unless d wins it", i).isEqualTo(before);
      }
    }
    assertThat(movedToD).isBetween(2_000, 3_000);
  }

  @Test
  void aLeavingNodesViewExcludesItself() {
    ClusterView view = new ClusterView(A, List.of(A, B), 1);
    ClusterView leaving = view.withoutSelf().orElseThrow();
    assertThat(leaving.members()).containsExactly(B);
    for (int i = 0; i < 100; i++) {
      assertThat(leaving.ownsLocally(key(i))).isFalse();
    }
    assertThat(ClusterView.solo(A).withoutSelf()).isEmpty();
    assertThatThrownBy(() -> new ClusterView(A, List.of(B), 1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parsesMembers() {
    assertThat(Member.parse(" n1@10.0.0.1:8081 ")).isEqualTo(new Member("n1", "10.0.0.1", 8081));
    assertThat(Member.parse("n2@[::1]:9000")).isEqualTo(new Member("n2", "::1", 9000));
    assertThatThrownBy(() -> Member.parse("10.0.0.1:8081")).hasMessageContaining("id@host:port");
    assertThatThrownBy(() -> Member.parse("n@host:x")).hasMessageContaining("port");
  }

  private static CounterKey key(int i) {
    return new CounterKey("domain", "user=" + i, 1_000);
  }
}
