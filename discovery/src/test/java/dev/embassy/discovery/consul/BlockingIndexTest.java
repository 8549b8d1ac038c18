package dev.embassy.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BlockingIndexTest {
  @Test
  void aLargerIndexIsSentBack() {
    assertThat(BlockingIndex.next(0, 17)).isEqualTo(17);
    assertThat(BlockingIndex.next(17, 42)).isEqualTo(42);
  }

  @Test
  void anEqualIndexIsKeptSoTheNextQueryBlocksAgain() {
    assertThat(BlockingIndex.next(42, 42)).isEqualTo(42);
  }

  @Test
  void anIndexGoingBackwardsResetsToZeroForAFullRead() {
    assertThat(BlockingIndex.next(42, 7)).isZero();
    // The full read then returns the new, lower index, which is taken as it is.
    assertThat(BlockingIndex.next(0, 7)).isEqualTo(7);
  }

  @Test
  void anIndexOfZeroOrLessIsNeverSentBack() {
    assertThat(BlockingIndex.next(0, 0)).isEqualTo(1);
    assertThat(BlockingIndex.next(42, 0)).isEqualTo(1);
    assertThat(BlockingIndex.next(5, -3)).isEqualTo(1);
  }
}
