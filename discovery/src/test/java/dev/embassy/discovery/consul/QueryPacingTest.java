package dev.embassy.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class QueryPacingTest {
  private static final long MS = 1_000_000;

  @Test
  void aBurstGoesThroughAtOnceThenOnePerInterval() {
    QueryPacing pacing = new QueryPacing(3, Duration.ofMillis(100), 0);
    assertThat(pacing.reserve(0)).isZero();
    assertThat(pacing.reserve(0)).isZero();
    assertThat(pacing.reserve(0)).isZero();
    assertThat(pacing.reserve(0)).isEqualTo(Duration.ofMillis(100));
    // The caller slept those 100 ms; the next permit is another interval away.
    assertThat(pacing.reserve(100 * MS)).isEqualTo(Duration.ofMillis(100));
    assertThat(pacing.reserve(200 * MS)).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void aQuietPeriodRefillsTheBurstButNoMore() {
    QueryPacing pacing = new QueryPacing(2, Duration.ofMillis(100), 0);
    pacing.reserve(0);
    pacing.reserve(0);
    assertThat(pacing.reserve(0)).isEqualTo(Duration.ofMillis(100));
    long later = 10_000 * MS;
    assertThat(pacing.reserve(later)).isZero();
    assertThat(pacing.reserve(later)).isZero();
    assertThat(pacing.reserve(later)).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void queriesThatBlockedLongerThanTheIntervalAreNeverDelayed() {
    QueryPacing pacing = new QueryPacing(1, Duration.ofMillis(100), 0);
    for (int i = 0; i < 10; i++) {
      assertThat(pacing.reserve(i * 300 * MS)).isZero();
    }
  }

  @Test
  void aTightLoopIsHeldToTheRate() {
    QueryPacing pacing = new QueryPacing(5, Duration.ofMillis(100), 0);
    long now = 0;
    int queries = 0;
    // A loop whose queries return at once, sleeping only what the pacing asks, for 10 s.
    while (now < 10_000 * MS) {
      now += pacing.reserve(now).toNanos();
      queries++;
    }
    assertThat(queries).isBetween(100, 105);
  }

  @Test
  void refusesAnEmptyBurst() {
    assertThatThrownBy(() -> new QueryPacing(0, Duration.ofMillis(1), 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
