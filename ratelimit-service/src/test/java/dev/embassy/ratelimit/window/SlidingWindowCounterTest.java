package dev.embassy.ratelimit.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SlidingWindowCounterTest {
  private static final long W = 60_000;
  /** A window start: 1,000 whole minutes after the epoch. */
  private static final long T0 = 1_000 * W;

  @Test
  void admitsUpToTheLimitInTheFirstWindowAndCountsOnlyAdmittedHits() {
    SlidingWindowCounter counter = new SlidingWindowCounter(W, T0);
    for (int i = 0; i < 10; i++) {
      Decision d = counter.check(T0 + i, 10, 1);
      assertThat(d.admitted()).isTrue();
      assertThat(d.remaining()).isEqualTo(9 - i);
    }
    Decision refused = counter.check(T0 + 20, 10, 1);
    assertThat(refused.admitted()).isFalse();
    assertThat(refused.remaining()).isZero();
    // Refused hits are not counted: the state still holds 10.
    assertThat(counter.snapshot(T0 + 20)).isEqualTo(new WindowState(T0, 10, 0));
  }

  @Test
  void weighsThePreviousWindowByTheShareOfItStillInsideTheSlidingWindow() {
    SlidingWindowCounter counter = new SlidingWindowCounter(W, T0);
    counter.check(T0, 100, 60);
    // A quarter into the next window, 3/4 of the previous 60 still count: 45.
    long t = T0 + W + W / 4;
    Decision d = counter.check(t, 100, 55);
    assertThat(d.admitted()).isTrue();
    assertThat(d.remaining()).isZero();
    assertThat(counter.check(t, 100, 1).admitted()).isFalse();
    // Half-way, 30 of the previous still count: 30 + 55 = 85, so 15 remain.
    assertThat(counter.peek(T0 + W + W / 2, 100).remaining()).isEqualTo(15);
  }

  @Test
  void comparesExactlyWithoutRoundingInTheCallersFavour() {
    SlidingWindowCounter counter = new SlidingWindowCounter(3, 0);
    counter.check(0, 10, 10);
    // One unit into the next window of 3: 10 × 2/3 = 6.67 still count, so 3 more fit (9.67), 4 do not.
    assertThat(counter.check(4, 10, 4).admitted()).isFalse();
    assertThat(counter.check(4, 10, 3).admitted()).isTrue();
    assertThat(counter.peek(4, 10).remaining()).isZero();
  }

  @Test
  void forgetsEverythingAfterTwoIdleWindows() {
    SlidingWindowCounter counter = new SlidingWindowCounter(W, T0);
    counter.check(T0, 5, 5);
    assertThat(counter.idle(T0 + 2 * W - 1)).isFalse();
    assertThat(counter.idle(T0 + 2 * W)).isTrue();
    Decision d = counter.check(T0 + 2 * W + 1, 5, 5);
    assertThat(d.admitted()).isTrue();
    assertThat(counter.snapshot(T0 + 2 * W + 1)).isEqualTo(new WindowState(T0 + 2 * W, 5, 0));
  }

  @Test
  void honoursHitsAddendAsOneAtomicHit() {
    SlidingWindowCounter counter = new SlidingWindowCounter(W, T0);
    assertThat(counter.check(T0, 10, 7).admitted()).isTrue();
    // 7 + 4 > 10: refused as a whole, nothing counted.
    assertThat(counter.check(T0, 10, 4).admitted()).isFalse();
    assertThat(counter.check(T0, 10, 3).admitted()).isTrue();
  }

  @Test
  void resetIsTheWindowEndWhileQuotaRemains() {
    SlidingWindowCounter counter = new SlidingWindowCounter(W, T0);
    Decision d = counter.check(T0 + 10_000, 10, 1);
    assertThat(d.resetMillis()).isEqualTo(W - 10_000);
  }

  @Test
  void resetOfAnExhaustedWindowIsWhenTheNextHitWillBeAdmitted() {
    SlidingWindowCounter counter = new SlidingWindowCounter(W, T0);
    counter.check(T0, 100, 60);
    long t = T0 + W + W / 4;
    counter.check(t, 100, 55);
    Decision refused = counter.check(t, 100, 1);
    long reset = refused.resetMillis();
    // Nothing else arrives: at t + reset one hit is admitted, a millisecond earlier it is not.
    SlidingWindowCounter copy = new SlidingWindowCounter(W, counter.snapshot(t));
    assertThat(copy.peek(t + reset - 1, 99).admitted()).isFalse();
    assertThat(copy.check(t + reset, 100, 1).admitted()).isTrue();
  }

  @Test
  void resetWhenTheCurrentWindowAloneIsFullLiesInTheNextWindow() {
    SlidingWindowCounter counter = new SlidingWindowCounter(W, T0);
    counter.check(T0 + 30_000, 10, 10);
    Decision refused = counter.check(T0 + 30_000, 10, 1);
    // 30 s to the window end; then 10 × (W − s)/W ≤ 9 needs s ≥ W/10 = 6 s.
    assertThat(refused.resetMillis()).isEqualTo(30_000 + 6_000);
    SlidingWindowCounter copy = new SlidingWindowCounter(W, counter.snapshot(T0 + 30_000));
    assertThat(copy.check(T0 + 30_000 + 35_999, 10, 1).admitted()).isFalse();
    assertThat(copy.check(T0 + 30_000 + 36_000, 10, 1).admitted()).isTrue();
  }

  @Test
  void aLimitOfZeroRefusesEverything() {
    SlidingWindowCounter counter = new SlidingWindowCounter(W, T0);
    Decision d = counter.check(T0 + 1, 0, 1);
    assertThat(d.admitted()).isFalse();
    assertThat(d.resetMillis()).isEqualTo(W - 1);
    assertThat(counter.check(T0 + 1, 0, 0).admitted()).isTrue();
  }

  @Test
  void mergeAddsAlignedWindows() {
    SlidingWindowCounter counter = new SlidingWindowCounter(W, T0 + W);
    counter.check(T0 + W + 5, 1_000, 3);
    // Same current window: both windows add.
    counter.merge(T0 + W + 6, new WindowState(T0 + W, 4, 7));
    assertThat(counter.snapshot(T0 + W + 6)).isEqualTo(new WindowState(T0 + W, 7, 7));
    // A state one window behind: its current is our previous; its previous is too old.
    counter.merge(T0 + W + 7, new WindowState(T0, 5, 100));
    assertThat(counter.snapshot(T0 + W + 7)).isEqualTo(new WindowState(T0 + W, 7, 12));
    // A state from a node whose clock is ahead: every hit is kept, in our current window.
    counter.merge(T0 + W + 8, new WindowState(T0 + 2 * W, 2, 1));
    assertThat(counter.snapshot(T0 + W + 8)).isEqualTo(new WindowState(T0 + W, 10, 12));
    // Two windows old: weighs nothing, adds nothing.
    counter.merge(T0 + W + 9, new WindowState(T0 - W, 50, 50));
    assertThat(counter.snapshot(T0 + W + 9)).isEqualTo(new WindowState(T0 + W, 10, 12));
  }

  @Test
  void addPutsHitsInTheWindowTheyWereAdmittedIn() {
    SlidingWindowCounter counter = new SlidingWindowCounter(W, T0 + W);
    assertThat(counter.add(T0 + W + 1, 4, T0)).isEqualTo(new WindowState(T0 + W, 0, 4));
    assertThat(counter.add(T0 + W + 1, 6, T0 + W)).isEqualTo(new WindowState(T0 + W, 6, 4));
    assertThat(counter.add(T0 + W + 1, 1, 0)).isEqualTo(new WindowState(T0 + W, 7, 4));
    assertThat(counter.add(T0 + W + 1, 9, T0 - W)).isEqualTo(new WindowState(T0 + W, 7, 4));
  }

  @Test
  void aClockSteppingBackKeepsCountingInTheLatestWindow() {
    SlidingWindowCounter counter = new SlidingWindowCounter(W, T0 + W);
    counter.check(T0 + W + 10, 10, 4);
    Decision d = counter.check(T0 + 10, 10, 6);
    assertThat(d.admitted()).isTrue();
    assertThat(counter.check(T0 + 10, 10, 1).admitted()).isFalse();
  }

  @Test
  void aRetiredCounterRefusesUseAndReturnsItsStateOnce() {
    SlidingWindowCounter counter = new SlidingWindowCounter(W, T0);
    counter.check(T0, 10, 3);
    assertThat(counter.retire(T0)).isEqualTo(new WindowState(T0, 3, 0));
    assertThat(counter.retire(T0)).isEqualTo(WindowState.EMPTY);
    assertThatThrownBy(() -> counter.check(T0, 10, 1)).isInstanceOf(SlidingWindowCounter.RetiredException.class);
  }

  @Test
  void hugeCountsSaturateInsteadOfOverflowing() {
    SlidingWindowCounter counter = new SlidingWindowCounter(86_400_000L, 0);
    counter.merge(0, new WindowState(0, Long.MAX_VALUE / 2, 0));
    Decision d = counter.check(1, 1_000_000_000L, 1);
    assertThat(d.admitted()).isFalse();
    assertThat(d.remaining()).isZero();
  }

  @Test
  void nearLimitMeansAboveEightyPercent() {
    assertThat(new Decision(true, 21, 0).nearLimit(100)).isFalse();
    assertThat(new Decision(true, 20, 0).nearLimit(100)).isFalse();
    assertThat(new Decision(true, 19, 0).nearLimit(100)).isTrue();
  }
}
