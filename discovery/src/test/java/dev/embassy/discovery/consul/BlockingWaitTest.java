package dev.embassy.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BlockingWaitTest {
  @Test
  void waitsUpToASixteenthLessThanConfigured() {
    SplittableRandom random = new SplittableRandom(5);
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      long seconds = BlockingWait.jitteredSeconds(Duration.ofMinutes(5), random);
      assertThat(seconds).isBetween(300L - 300 / 16, 300L);
      seen.add(seconds);
    }
    assertThat(seen).hasSize(300 / 16 + 1);
  }

  @Test
  void neverExceedsConsulsMaximumNorGoesBelowOneSecond() {
    SplittableRandom random = new SplittableRandom(5);
    assertThat(BlockingWait.jitteredSeconds(Duration.ofHours(1), random)).isBetween(600L - 600 / 16, 600L);
    assertThat(BlockingWait.jitteredSeconds(Duration.ofMillis(10), random)).isEqualTo(1);
    assertThat(BlockingWait.jitteredSeconds(Duration.ofSeconds(15), random)).isEqualTo(15);
  }
}
