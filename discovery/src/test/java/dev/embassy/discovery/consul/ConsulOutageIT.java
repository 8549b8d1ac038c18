package dev.embassy.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.discovery.ServiceQuery;
import dev.embassy.discovery.WatchHandle;
import dev.embassy.discovery.WatcherHealth;
import dev.embassy.testsupport.ConsulAgent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Consul killed and restarted under a watcher: last known instances kept, degraded, recovered. */
@SuppressWarnings("try") // a handle opened only to be closed at the end of the block
class ConsulOutageIT {
  @Test
  void keepsTheLastInstancesWhileConsulIsDownAndRecoversWhenItIsBack() throws Exception {
    try (ConsulAgent consul = ConsulAgent.start()) {
      ConsulDiscoveryConfig config =
          ConsulDiscoveryConfig.defaults(consul.httpAddress()).withRetry(Duration.ofMillis(50), Duration.ofMillis(500));
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      register(consul, "web-1");
      register(consul, "web-2");
      RecordingListener listener = new RecordingListener();
      try (ConsulServiceWatcher watcher = ConsulServiceWatcher.connect(config, meters);
          WatchHandle ignored = watcher.watch(ServiceQuery.of("web"), listener)) {
        Eventually.until("both instances", () -> listener.latestIds().equals(List.of("web-1", "web-2")));
        Eventually.until("catalog known", () -> watcher.knownServices().contains("web"));
        assertThat(watcher.health().degraded()).isFalse();

        consul.kill();
        // The catalog watch may notice first (that alone makes the watcher degraded); wait for the
        // service's own watch.
        Eventually.until("degraded", () -> watcher.health().degraded() && watcher.health().watches().getFirst().failing());
        WatcherHealth.WatchStatus down = watcher.health().watches().getFirst();
        assertThat(down.failing()).isTrue();
        assertThat(down.lastSync()).isPresent();
        assertThat(down.instances()).isEqualTo(2);
        double ageAtFailure = syncAge(meters);
        Thread.sleep(1_500);
        assertThat(syncAge(meters)).isGreaterThan(ageAtFailure + 1.0);
        assertThat(watcher.health().watches().getFirst().consecutiveErrors()).isGreaterThan(1);
        assertThat(meters.get("embassy.discovery.watch.errors").tag("service", "web").counter().count()).isGreaterThan(1);
        assertThat(meters.get("embassy.discovery.degraded").gauge().value()).isEqualTo(1);
        // Outage: no call at all, in particular never an empty list.
        assertThat(listener.calls()).hasSize(1);
        assertThat(watcher.knownServices()).contains("web");

        consul.restart();
        // A dev agent restarts empty, with indexes starting low: its real answer now is no instances.
        register(consul, "web-3");
        Eventually.until("the new registration shows up", () -> listener.latestIds().equals(List.of("web-3")));
        Eventually.until("recovered", () -> !watcher.health().degraded());
        assertThat(meters.get("embassy.discovery.degraded").gauge().value()).isZero();
        assertThat(syncAge(meters)).isLessThan(1.0);

        // And the watch follows changes again (it re-read from index 0 after the restart).
        register(consul, "web-4");
        Eventually.until("and the next", () -> listener.latestIds().equals(List.of("web-3", "web-4")));
      }
    }
  }

  private static double syncAge(SimpleMeterRegistry meters) {
    return meters.get("embassy.discovery.last.sync.age").tag("service", "web").gauge().value();
  }

  private static void register(ConsulAgent consul, String id) {
    consul.http("PUT", "/v1/agent/service/register", """
        {"Name": "web", "ID": "%s", "Address": "127.0.0.1", "Port": 8080, "Check": {"TTL": "10m", "Status": "passing"}}"""
        .formatted(id));
  }
}
