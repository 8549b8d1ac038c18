package dev.embassy.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {
  @Test
  void stepsDoubleFromTheMinimumUpToTheCap() {
    RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1));
    SplittableRandom random = new SplittableRandom(1);
    long[] steps = new long[7];
    for (int i = 0; i < steps.length; i++) {
      steps[i] = backoff.step().toMillis();
      backoff.next(random);
    }
    assertThat(steps).containsExactly(100, 200, 400, 800, 1000, 1000, 1000);
  }

  @Test
  void eachDelayLiesInTheUpperHalfOfItsStep() {
    RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200; i++) {
      Duration step = backoff.step();
      Duration delay = backoff.next(random);
      assertThat(delay).isBetween(step.dividedBy(2), step);
    }
  }

  @Test
  void delaysAreSpreadSoWatchesThatFailedTogetherDoNotRetryTogether() {
    SplittableRandom random = new SplittableRandom(3);
    Set<Long> firstDelays = new HashSet<>();
    for (int watch = 0; watch < 100; watch++) {
      firstDelays.add(new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(5)).next(random).toMillis());
    }
    assertThat(firstDelays).hasSizeGreaterThan(30);
  }

  @Test
  void resetStartsOverFromTheMinimum() {
    RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 10; i++) {
      backoff.next(random);
    }
    assertThat(backoff.step()).isEqualTo(Duration.ofSeconds(5));
    backoff.reset();
    assertThat(backoff.step()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void manyFailuresNeitherOverflowNorExceedTheCap() {
    RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(1), Duration.ofDays(1));
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < 1_000; i++) {
      assertThat(backoff.next(random)).isLessThanOrEqualTo(Duration.ofDays(1)).isPositive();
    }
  }
}
