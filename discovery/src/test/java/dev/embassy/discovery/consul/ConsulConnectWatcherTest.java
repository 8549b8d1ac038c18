package dev.embassy.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.discovery.ConnectIntention;
import dev.embassy.discovery.ConnectLeaf;
import dev.embassy.discovery.ConnectRoots;
import dev.embassy.discovery.DiscoveryException;
import dev.embassy.discovery.WatchHandle;
import dev.embassy.discovery.WatcherHealth;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The Connect watches ride out a Consul outage like service watches: the listener keeps what it
 * was last told (nothing is retracted), the watch shows as failing in health and in
 * {@code embassy_connect_degraded}, and the next answer after recovery reaches the listener.
 */
class ConsulConnectWatcherTest {
  private static final WatchPace FAST = new WatchPace(Duration.ofMinutes(5), 1_000, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(2));

  /** Answers each blocking read at once with an index one higher, failing while {@code down}. */
  private static final class ScriptedConnectApi implements ConsulConnectApi {
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicLong index = new AtomicLong(1);
    volatile String rootPem = "root-1";

    @Override
    public ConsulAnswer<ConnectRoots> roots(long since, long waitSeconds) {
      pause();
      return new ConsulAnswer<>(new ConnectRoots("td.consul", List.of(rootPem)), index.incrementAndGet());
    }

    @Override
    public ConsulAnswer<ConnectLeaf> leaf(String service, long since, long waitSeconds) {
      pause();
      return new ConsulAnswer<>(new ConnectLeaf(service, "spiffe://td.consul/ns/default/dc/dc1/svc/" + service, "cert", "key",
          Instant.parse("2030-01-01T00:00:00Z")), index.incrementAndGet());
    }

    @Override
    public ConsulAnswer<List<ConnectIntention>> intentions(long since, long waitSeconds) {
      pause();
      return new ConsulAnswer<>(List.of(), index.incrementAndGet());
    }

    @Override
    public ConsulAnswer<java.util.Set<String>> services(long since, long waitSeconds) {
      pause();
      return new ConsulAnswer<>(java.util.Set.of("web"), index.incrementAndGet());
    }

    private void pause() {
      if (down.get()) {
        throw new DiscoveryException("Consul unreachable (scripted)");
      }
      try {
        // A blocking read that nothing changed would hold; a short sleep keeps the loop calm.
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DiscoveryException("interrupted", e);
      }
    }
  }

  @Test
  void anOutageKeepsTheLastRootsAndIsReportedUntilConsulAnswersAgain() {
    ScriptedConnectApi api = new ScriptedConnectApi();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ConsulConnectWatcher watcher = new ConsulConnectWatcher(api, FAST, registry, Clock.systemUTC());
    List<ConnectRoots> heard = new CopyOnWriteArrayList<>();
    try (WatchHandle handle = watcher.watchRoots(heard::add); WatchHandle leaf = watcher.watchLeaf("web", l -> {})) {
      Eventually.until("the roots arrive", () -> heard.size() == 1);

      api.down.set(true);
      Eventually.until("health reports the failing watches", () -> watcher.health().stream().filter(WatcherHealth.WatchStatus::failing).count() == 2);
      assertThat(registry.get("embassy.connect.degraded").gauge().value()).isEqualTo(1.0);
      assertThat(registry.get("embassy.connect.watch.errors").tag("watch", "roots").counter().count()).isPositive();
      assertThat(heard).as("nothing retracted during the outage").hasSize(1);

      api.rootPem = "root-2";
      api.down.set(false);
      Eventually.until("the new roots arrive after recovery", () -> heard.size() == 2);
      assertThat(heard.get(1).certificatesPem()).containsExactly("root-2");
      Eventually.until("health recovers", () -> watcher.health().stream().noneMatch(WatcherHealth.WatchStatus::failing));
      assertThat(registry.get("embassy.connect.degraded").gauge().value()).isZero();
    } finally {
      watcher.close();
    }
    assertThat(registry.find("embassy.connect.degraded").gauge()).as("meters removed with the watcher").isNull();
  }
}
