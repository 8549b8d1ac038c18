package dev.embassy.controlplane.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CoalescingNotifierTest {
  @Test
  void aLoneChangeGoesOutAtOnceAndChangesDuringACallComeTogetherInTheNext() throws Exception {
    List<Set<String>> calls = new CopyOnWriteArrayList<>();
    CountDownLatch firstCallRunning = new CountDownLatch(1);
    CountDownLatch releaseFirstCall = new CountDownLatch(1);
    CountDownLatch secondCallDone = new CountDownLatch(1);
    try (CoalescingNotifier<String> notifier = new CoalescingNotifier<>("test-notifier", changed -> {
      calls.add(changed);
      if (calls.size() == 1) {
        firstCallRunning.countDown();
        await(releaseFirstCall);
      } else {
        secondCallDone.countDown();
      }
    })) {
      notifier.changed("a");
      assertThat(firstCallRunning.await(5, TimeUnit.SECONDS)).as("the first change is passed on without waiting for more").isTrue();

      notifier.changed("b");
      notifier.changed("c");
      notifier.changed("b");
      releaseFirstCall.countDown();
      assertThat(secondCallDone.await(5, TimeUnit.SECONDS)).isTrue();

      assertThat(calls).containsExactly(Set.of("a"), Set.of("b", "c"));
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
