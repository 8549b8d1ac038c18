package dev.embassy.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embassy.discovery.InstanceHealth;
import dev.embassy.discovery.ServiceInstance;
import dev.embassy.discovery.ServiceQuery;
import dev.embassy.discovery.WatchHandle;
import dev.embassy.discovery.WatcherHealth;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The watch logic over a scripted Consul: change detection, errors, sharing and stopping. */
class ConsulServiceWatcherTest {
  private static final WatchPace FAST = new WatchPace(Duration.ofMinutes(5), 1_000, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(2));
  private static final ServiceInstance A = instance("web-a");
  private static final ServiceInstance B = instance("web-b");

  private final ScriptedHealthApi consul = new ScriptedHealthApi();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ConsulServiceWatcher watcher = new ConsulServiceWatcher(consul, FAST, meters, Clock.systemUTC(), Optional.empty());
  private final List<List<ServiceInstance>> calls = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    watcher.close();
  }

  @Test
  void theListenerGetsTheFirstAnswerAndThenOnlyRealChanges() {
    consul.answer("web", List.of(A), 10);
    watcher.watch(ServiceQuery.of("web"), (query, instances) -> calls.add(instances));
    // One at a time: answers that arrive together are coalesced into the last one.
    Eventually.until("the first call", () -> calls.size() == 1);
    consul.answer("web", List.of(A), 11); // the index moved, the instances did not
    consul.answer("web", List.of(B, A), 12);

    Eventually.until("the loop blocks on its fourth read", () -> consul.reads("web") == 4);
    Eventually.until("two calls", () -> calls.size() == 2);
    assertThat(calls).containsExactly(List.of(A), List.of(B, A));
    assertThat(meters.get("embassy.discovery.instance.changes").tag("service", "web").counter().count()).isEqualTo(2);
    assertThat(consul.indexesSent("web")).containsExactly(0L, 10L, 11L, 12L);
  }

  @Test
  void anEmptyAnswerIsARealAnswerAndIsDelivered() {
    consul.answer("web", List.of(A), 10);
    watcher.watch(ServiceQuery.of("web"), (query, instances) -> calls.add(instances));
    Eventually.until("the first call", () -> calls.size() == 1);
    consul.answer("web", List.of(), 11);

    Eventually.until("two calls", () -> calls.size() == 2);
    assertThat(calls).containsExactly(List.of(A), List.of());
  }

  @Test
  void anIndexGoingBackwardsIsFollowedByAFullRead() {
    consul.answer("web", List.of(A), 50);
    consul.answer("web", List.of(A), 3);
    consul.answer("web", List.of(A), 4);
    watcher.watch(ServiceQuery.of("web"), (query, instances) -> calls.add(instances));

    Eventually.until("the fourth read", () -> consul.reads("web") == 4);
    assertThat(consul.indexesSent("web")).containsExactly(0L, 50L, 0L, 4L);
  }

  @Test
  void errorsKeepTheLastInstancesReportDegradedAndRecover() {
    consul.answer("web", List.of(A), 10);
    consul.fail("web", "connection refused");
    consul.fail("web", "connection refused");
    ServiceQuery query = ServiceQuery.of("web");
    watcher.watch(query, (q, instances) -> calls.add(instances));

    Eventually.until("the loop blocks after two failures", () -> consul.reads("web") == 4);
    WatcherHealth health = watcher.health();
    assertThat(health.degraded()).isTrue();
    WatcherHealth.WatchStatus status = health.watches().getFirst();
    assertThat(status.query()).contains(query);
    assertThat(status.consecutiveErrors()).isEqualTo(2);
    assertThat(status.lastError()).contains("connection refused");
    assertThat(status.lastSync()).isPresent();
    assertThat(status.instances()).isEqualTo(1);
    assertThat(meters.get("embassy.discovery.watch.errors").tag("service", "web").counter().count()).isEqualTo(2);
    assertThat(meters.get("embassy.discovery.degraded").gauge().value()).isEqualTo(1);
    // After an error the next read starts over from index 0: Consul may have restarted.
    assertThat(consul.indexesSent("web")).containsExactly(0L, 10L, 0L, 0L);

    consul.answer("web", List.of(A), 10);
    Eventually.until("recovered", () -> !watcher.health().degraded());
    assertThat(watcher.health().watches().getFirst().totalErrors()).isEqualTo(2);
    assertThat(calls).containsExactly(List.of(A));
  }

  @Test
  void equalQueriesShareOneBlockingQueryWhichStopsWithTheLastHandle() {
    consul.answer("web", List.of(A), 10);
    List<List<ServiceInstance>> other = new CopyOnWriteArrayList<>();
    WatchHandle first = watcher.watch(new ServiceQuery("web", List.of("a", "b"), Optional.empty(), Map.of(), false), (q, i) -> calls.add(i));
    WatchHandle second = watcher.watch(new ServiceQuery("web", List.of("b", "a"), Optional.empty(), Map.of(), false), (q, i) -> other.add(i));

    Eventually.until("both listeners called", () -> calls.size() == 1 && other.size() == 1);
    Eventually.until("the shared loop blocks on its second read", () -> consul.reads("web") == 2);
    assertThat(meters.get("embassy.discovery.watches").gauge().value()).isEqualTo(1);

    first.close();
    assertThat(watcher.health().watches()).hasSize(1);
    second.close();
    second.close();
    Eventually.until("the blocked read is interrupted", () -> consul.inFlight() == 1); // the catalog's read is left
    assertThat(watcher.health().watches()).isEmpty();
    assertThat(meters.get("embassy.discovery.watches").gauge().value()).isZero();
    assertThat(meters.find("embassy.discovery.last.sync.age").tag("service", "web").gauge()).isNull();
    assertThat(consul.reads("web")).isEqualTo(2);
  }

  @Test
  void aLateListenerGetsTheCurrentListWithoutANewQuery() {
    consul.answer("web", List.of(A), 10);
    watcher.watch(ServiceQuery.of("web"), (q, i) -> calls.add(i));
    Eventually.until("first listener called", () -> calls.size() == 1);

    List<List<ServiceInstance>> late = new CopyOnWriteArrayList<>();
    watcher.watch(ServiceQuery.of("web"), (q, i) -> late.add(i));
    Eventually.until("late listener called", () -> late.size() == 1);
    assertThat(late).containsExactly(List.of(A));
    assertThat(consul.reads("web")).isEqualTo(2);
  }

  @Test
  void differentQueriesOfOneServiceHaveTheirOwnWatches() {
    watcher.watch(ServiceQuery.of("web"), (q, i) -> {});
    watcher.watch(new ServiceQuery("web", List.of(), Optional.empty(), Map.of(), true), (q, i) -> {});
    Eventually.until("two reads", () -> consul.reads("web") == 2);
    assertThat(watcher.health().watches()).hasSize(2);
  }

  @Test
  void theCatalogWatchKnowsTheServices() {
    consul.answerCatalog(Set.of("consul", "web"), 5);
    List<Set<String>> catalogCalls = new CopyOnWriteArrayList<>();
    watcher.watchCatalog(catalogCalls::add);
    Eventually.until("catalog known", () -> watcher.knownServices().equals(Set.of("consul", "web")));
    consul.answerCatalog(Set.of("consul", "web", "api"), 6);
    Eventually.until("catalog listener called twice", () -> catalogCalls.size() == 2);
    assertThat(catalogCalls.getLast()).containsExactlyInAnyOrder("consul", "web", "api");
  }

  @Test
  void answersArrivingTogetherAreCoalescedIntoTheLatest() {
    consul.answer("web", List.of(A), 10);
    consul.answer("web", List.of(B), 11);
    consul.answer("web", List.of(A, B), 12);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    watcher.watch(ServiceQuery.of("web"), (query, instances) -> {
      calls.add(instances);
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Eventually.until("all three answers read", () -> consul.reads("web") == 4);
    release.countDown();
    Eventually.until("the latest list delivered", () -> !calls.isEmpty() && calls.getLast().equals(List.of(A, B)));
    // Never more calls than answers, never an intermediate list after the latest.
    assertThat(calls.size()).isBetween(1, 3);
    assertThat(calls.getLast()).isEqualTo(List.of(A, B));
  }

  @Test
  void closingTheWatcherStopsEveryLoopAndRemovesItsMeters() {
    watcher.watch(ServiceQuery.of("web"), (q, i) -> {});
    watcher.watch(ServiceQuery.of("api"), (q, i) -> {});
    Eventually.until("both watches and the catalog block", () -> consul.inFlight() == 3);
    assertThat(meters.getMeters()).isNotEmpty();
    watcher.close();
    Eventually.until("every read interrupted", () -> consul.inFlight() == 0);
    assertThat(meters.getMeters()).isEmpty();
  }

  @Test
  void aClosedWatcherRefusesNewWatches() {
    watcher.close();
    assertThatThrownBy(() -> watcher.watch(ServiceQuery.of("web"), (q, i) -> {})).isInstanceOf(IllegalStateException.class);
  }

  private static ServiceInstance instance(String id) {
    return new ServiceInstance(id, "web", "node-1", "10.0.0.1", 8080, List.of(), Map.of(), Map.of(), "dc1", InstanceHealth.PASSING);
  }
}
