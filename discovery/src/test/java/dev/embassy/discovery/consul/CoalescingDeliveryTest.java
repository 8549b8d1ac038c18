package dev.embassy.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoalescingDeliveryTest {
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final List<Integer> calls = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void aBusyListenerGetsOnlyTheLatestValueWhenItIsDone() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch twoCalls = new CountDownLatch(2);
    CoalescingDelivery<Integer> delivery =
        new CoalescingDelivery<>("test", value -> {
          calls.add(value);
          entered.countDown();
          await(release);
          twoCalls.countDown();
        }, executor);

    delivery.offer(1);
    assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
    delivery.offer(2);
    delivery.offer(3);
    delivery.offer(4);
    release.countDown();

    assertThat(twoCalls.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(calls).containsExactly(1, 4);
  }

  @Test
  void aValueEqualToTheLastDeliveredIsNotDeliveredAgain() throws Exception {
    CountDownLatch[] seen = {new CountDownLatch(1), new CountDownLatch(2)};
    CoalescingDelivery<Integer> delivery =
        new CoalescingDelivery<>("test", value -> {
          calls.add(value);
          seen[0].countDown();
          seen[1].countDown();
        }, executor);

    delivery.offer(1);
    assertThat(seen[0].await(5, TimeUnit.SECONDS)).isTrue();
    delivery.offer(1);
    delivery.offer(2);
    assertThat(seen[1].await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(calls).containsExactly(1, 2);
  }

  @Test
  void aFailingListenerStillGetsLaterValues() throws Exception {
    CountDownLatch second = new CountDownLatch(1);
    CoalescingDelivery<Integer> delivery =
        new CoalescingDelivery<>("test", value -> {
          calls.add(value);
          if (value == 1) {
            throw new IllegalStateException("listener bug");
          }
          second.countDown();
        }, executor);

    delivery.offer(1);
    delivery.offer(2);
    assertThat(second.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(calls).endsWith(2);
  }

  @Test
  void nothingIsDeliveredAfterClose() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CoalescingDelivery<Integer> delivery =
        new CoalescingDelivery<>("test", value -> {
          calls.add(value);
          entered.countDown();
          await(release);
        }, executor);

    delivery.offer(1);
    assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
    delivery.offer(2);
    delivery.close();
    delivery.offer(3);
    release.countDown();
    executor.shutdown();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(calls).containsExactly(1);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
