package dev.embassy.ratelimit.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CounterStoreTest {
  private static final CounterKey KEY = new CounterKey("d", "k=v", 3_600_000);

  @Test
  void detachingWhileOtherThreadsCountLosesAndDuplicatesNothing() throws Exception {
    ManualClock clock = new ManualClock(3_600_000L * 1_000);
    CounterStore here = new CounterStore(clock);
    CounterStore there = new CounterStore(clock);
    AtomicLong admitted = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    CountDownLatch started = new CountDownLatch(4);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(Thread.ofPlatform().start(() -> {
        started.countDown();
        while (running.get()) {
          if (here.check(KEY, Long.MAX_VALUE / 4, 1).admitted()) {
            admitted.incrementAndGet();
          }
        }
      }));
    }
    started.await();
    // Hand the key over again and again while hits keep arriving: every state moved is added on
    // the other side, as the peer protocol's HandOver does.
    for (int i = 0; i < 2_000; i++) {
      for (Map.Entry<CounterKey, WindowState> moved : here.detach(k -> true).entrySet()) {
        there.merge(moved.getKey(), moved.getValue());
      }
    }
    running.set(false);
    for (Thread thread : threads) {
      thread.join();
    }
    long total = here.snapshot(KEY).current() + there.snapshot(KEY).current();
    assertThat(total).isEqualTo(admitted.get()).isGreaterThan(0);
  }

  @Test
  void evictsCountersWhoseWindowsHaveSlidOut() {
    ManualClock clock = new ManualClock(0);
    CounterStore store = new CounterStore(clock);
    store.check(new CounterKey("d", "a", 1_000), 10, 1);
    store.check(new CounterKey("d", "b", 60_000), 10, 1);
    clock.advance(2_000);
    assertThat(store.evictIdle()).isEqualTo(1);
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.snapshot(new CounterKey("d", "b", 60_000)).current()).isEqualTo(1);
  }

  @Test
  void detachReturnsOnlyMatchingNonEmptyStates() {
    ManualClock clock = new ManualClock(0);
    CounterStore store = new CounterStore(clock);
    CounterKey mine = new CounterKey("d", "mine", 1_000);
    CounterKey theirs = new CounterKey("d", "theirs", 1_000);
    store.check(mine, 10, 2);
    store.check(theirs, 10, 3);
    Map<CounterKey, WindowState> moved = store.detach(k -> k.equals(theirs));
    assertThat(moved).containsExactly(Map.entry(theirs, new WindowState(0, 3, 0)));
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.snapshot(theirs)).isEqualTo(WindowState.EMPTY);
  }
}
