package dev.embassy.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsulDiscoveryConfigTest {
  @Test
  void defaults() {
    ConsulDiscoveryConfig config = ConsulDiscoveryConfig.fromEnvironment(Map.of());
    assertThat(config.address()).isEqualTo(URI.create("http://127.0.0.1:8500"));
    assertThat(config.token()).isEmpty();
    assertThat(config.blockingWait()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.queryBurst()).isEqualTo(5);
    assertThat(config.queryInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.retryMin()).isEqualTo(Duration.ofMillis(100));
    assertThat(config.retryMax()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.maxConnections()).isEqualTo(1024);
    // Consul may hold a blocking query for wait + wait/16; the socket must outlast that.
    assertThat(config.blockingReadTimeout()).isGreaterThan(Duration.ofMinutes(5).plus(Duration.ofMinutes(5).dividedBy(16)));
  }

  @Test
  void readsEverySettingUnderItsPrefix() {
    ConsulDiscoveryConfig config =
        ConsulDiscoveryConfig.fromEnvironment(
            Map.of(
                "EMBASSY_RATELIMIT_CONSUL_ADDRESS", "https://consul.internal:8501",
                "EMBASSY_RATELIMIT_CONSUL_TOKEN", "secret-token-value",
                "EMBASSY_RATELIMIT_CONSUL_WAIT", "30s",
                "EMBASSY_RATELIMIT_CONSUL_QUERY_BURST", "2",
                "EMBASSY_RATELIMIT_CONSUL_QUERY_INTERVAL", "250ms",
                "EMBASSY_RATELIMIT_CONSUL_RETRY_MAX", "1m",
                "EMBASSY_CONSUL_WAIT", "1h"),
            "EMBASSY_RATELIMIT_CONSUL_");
    assertThat(config.address()).isEqualTo(URI.create("https://consul.internal:8501"));
    assertThat(config.token()).contains("secret-token-value");
    assertThat(config.blockingWait()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.queryBurst()).isEqualTo(2);
    assertThat(config.queryInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.retryMax()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void theTokenNeverAppearsInItsText() {
    ConsulDiscoveryConfig config = ConsulDiscoveryConfig.fromEnvironment(Map.of("EMBASSY_CONSUL_TOKEN", "secret-token-value"));
    assertThat(config.toString()).doesNotContain("secret-token-value").contains("token=(set)");
  }

  @Test
  void refusesWhatConsulWouldNot() {
    assertThatThrownBy(() -> ConsulDiscoveryConfig.fromEnvironment(Map.of("EMBASSY_CONSUL_WAIT", "11m")))
        .hasMessageContaining("10m");
    assertThatThrownBy(() -> ConsulDiscoveryConfig.fromEnvironment(Map.of("EMBASSY_CONSUL_WAIT", "5 minutes")))
        .hasMessageContaining("EMBASSY_CONSUL_WAIT");
    assertThatThrownBy(() -> ConsulDiscoveryConfig.fromEnvironment(Map.of("EMBASSY_CONSUL_ADDRESS", "consul:8500")))
        .hasMessageContaining("http");
    assertThatThrownBy(() -> ConsulDiscoveryConfig.fromEnvironment(Map.of("EMBASSY_CONSUL_RETRY_MIN", "10s", "EMBASSY_CONSUL_RETRY_MAX", "1s")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
