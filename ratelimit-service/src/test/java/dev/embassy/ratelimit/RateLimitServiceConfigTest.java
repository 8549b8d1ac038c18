package dev.embassy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embassy.ratelimit.cluster.Member;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitServiceConfigTest {
  @Test
  void defaults() {
    RateLimitServiceConfig config = RateLimitServiceConfig.fromEnvironment(Map.of());
    assertThat(config.bind()).isEqualTo("127.0.0.1");
    assertThat(config.port()).isEqualTo(8081);
    assertThat(config.grpcThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.statusPort()).isEqualTo(8082);
    assertThat(config.statusBind()).isEqualTo("127.0.0.1");
    assertThat(config.peers()).isEmpty();
    assertThat(config.consul()).isEmpty();
    assertThat(config.consulService()).isEqualTo("embassy-ratelimit");
    assertThat(config.consulCheckInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.configDir()).isEmpty();
    assertThat(config.batchWindow()).isEqualTo(Duration.ofNanos(500_000));
    assertThat(config.batchSize()).isEqualTo(1000);
    assertThat(config.peerTimeout()).isEqualTo(Duration.ofMillis(15));
    assertThat(config.probeInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(config.globalSyncInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.databaseUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/embassy");
    assertThat(config.nodeId()).endsWith(":8081");
  }

  @Test
  void readsEverySetting() {
    RateLimitServiceConfig config = RateLimitServiceConfig.fromEnvironment(Map.ofEntries(
        Map.entry("EMBASSY_RATELIMIT_BIND", "0.0.0.0"),
        Map.entry("EMBASSY_RATELIMIT_PORT", "9081"),
        Map.entry("EMBASSY_RATELIMIT_GRPC_THREADS", "3"),
        Map.entry("EMBASSY_RATELIMIT_STATUS_PORT", "9082"),
        Map.entry("EMBASSY_RATELIMIT_NODE_ID", "n1"),
        Map.entry("EMBASSY_RATELIMIT_ADVERTISE_HOST", "10.0.0.1"),
        Map.entry("EMBASSY_RATELIMIT_PEERS", "n1@10.0.0.1:9081, n2@10.0.0.2:9081"),
        Map.entry("EMBASSY_RATELIMIT_CONFIG_DIR", "/etc/ratelimit"),
        Map.entry("EMBASSY_RATELIMIT_BATCH_WINDOW", "200us"),
        Map.entry("EMBASSY_RATELIMIT_BATCH_SIZE", "64"),
        Map.entry("EMBASSY_RATELIMIT_PEER_TIMEOUT", "8ms"),
        Map.entry("EMBASSY_RATELIMIT_CONSUL_ADDRESS", "http://127.0.0.1:8500")));
    assertThat(config.statusBind()).isEqualTo("0.0.0.0");
    assertThat(config.grpcThreads()).isEqualTo(3);
    assertThat(config.self()).isEqualTo(new Member("n1", "10.0.0.1", 9081));
    assertThat(config.peers()).containsExactly(new Member("n1", "10.0.0.1", 9081), new Member("n2", "10.0.0.2", 9081));
    assertThat(config.configDir()).contains(Path.of("/etc/ratelimit"));
    assertThat(config.batchWindow()).isEqualTo(Duration.ofNanos(200_000));
    assertThat(config.batchSize()).isEqualTo(64);
    assertThat(config.peerTimeout()).isEqualTo(Duration.ofMillis(8));
    assertThat(config.consul().orElseThrow().address()).isEqualTo(java.net.URI.create("http://127.0.0.1:8500"));
  }

  @Test
  void refusesWhatCannotWork() {
    assertThatThrownBy(() -> RateLimitServiceConfig.fromEnvironment(Map.of("EMBASSY_RATELIMIT_BATCH_WINDOW", "2ms")))
        .hasMessageContaining("exceeds 500us");
    assertThatThrownBy(() -> RateLimitServiceConfig.fromEnvironment(Map.of("EMBASSY_RATELIMIT_PEERS", "10.0.0.1:80")))
        .hasMessageContaining("EMBASSY_RATELIMIT_PEERS");
    assertThatThrownBy(() -> RateLimitServiceConfig.fromEnvironment(Map.of("EMBASSY_RATELIMIT_PORT", "70000")))
        .hasMessageContaining("outside");
    assertThatThrownBy(() -> RateLimitServiceConfig.fromEnvironment(Map.of("EMBASSY_RATELIMIT_PEER_TIMEOUT", "soon")))
        .hasMessageContaining("not a duration");
    assertThatThrownBy(() -> RateLimitServiceConfig.fromEnvironment(Map.of("EMBASSY_RATELIMIT_BATCH_SIZE", "0")))
        .hasMessageContaining("positive");
  }
}
