package dev.embassy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthServiceConfigTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    AuthServiceConfig config = AuthServiceConfig.fromEnvironment(Map.of());
    assertThat(config.bind()).isEqualTo("127.0.0.1");
    assertThat(config.port()).isEqualTo(9191);
    assertThat(config.statusPort()).isEqualTo(9192);
    assertThat(config.databaseUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/embassy");
    assertThat(config.tokenCacheSize()).isEqualTo(100_000);
    assertThat(config.maxTokenBytes()).isEqualTo(8192);
    assertThat(config.jwksTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.jwksRefreshMin()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.jwksRefreshDefault()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.jwksRefreshMax()).isEqualTo(Duration.ofHours(1));
    assertThat(config.kidRefetchInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.kidRefetchWait()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void readsEveryVariable() {
    AuthServiceConfig config = AuthServiceConfig.fromEnvironment(Map.of(
        "EMBASSY_AUTH_BIND", "0.0.0.0", "EMBASSY_AUTH_PORT", "7000", "EMBASSY_AUTH_STATUS_PORT", "7001",
        "EMBASSY_AUTH_TOKEN_CACHE_SIZE", "0", "EMBASSY_AUTH_KID_REFETCH_WAIT", "250ms", "EMBASSY_AUTH_JWKS_REFRESH_MAX", "2h"));
    assertThat(config.bind()).isEqualTo("0.0.0.0");
    assertThat(config.port()).isEqualTo(7000);
    assertThat(config.statusPort()).isEqualTo(7001);
    assertThat(config.tokenCacheSize()).isZero();
    assertThat(config.kidRefetchWait()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.jwksRefreshMax()).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void refusesBadValuesNamingTheVariable() {
    assertThatThrownBy(() -> AuthServiceConfig.fromEnvironment(Map.of("EMBASSY_AUTH_PORT", "70000")))
        .hasMessageContaining("EMBASSY_AUTH_PORT");
    assertThatThrownBy(() -> AuthServiceConfig.fromEnvironment(Map.of("EMBASSY_AUTH_JWKS_TIMEOUT", "soon")))
        .hasMessageContaining("EMBASSY_AUTH_JWKS_TIMEOUT");
    assertThatThrownBy(() -> AuthServiceConfig.fromEnvironment(Map.of("EMBASSY_AUTH_MAX_TOKEN_BYTES", "10")))
        .hasMessageContaining("EMBASSY_AUTH_MAX_TOKEN_BYTES");
    assertThatThrownBy(() -> AuthServiceConfig.fromEnvironment(Map.of("EMBASSY_AUTH_JWKS_REFRESH_MIN", "2h")))
        .hasMessageContaining("EMBASSY_AUTH_JWKS_REFRESH_MIN");
  }
}
