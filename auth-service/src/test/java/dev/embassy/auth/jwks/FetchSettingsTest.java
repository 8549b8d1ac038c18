package dev.embassy.auth.jwks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FetchSettingsTest {
  private final FetchSettings settings = new FetchSettings(Duration.ofSeconds(2), 1024, Duration.ofSeconds(30),
      Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofSeconds(5));

  @Test
  void maxAgeIsHonouredWithinBounds() {
    assertThat(settings.refreshAfter(CacheControl.maxAge(Optional.of("public, max-age=600")))).isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.refreshAfter(CacheControl.maxAge(Optional.of("max-age=5")))).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.refreshAfter(CacheControl.maxAge(Optional.of("max-age=86400")))).isEqualTo(Duration.ofHours(1));
    assertThat(settings.refreshAfter(CacheControl.maxAge(Optional.of("no-store")))).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.refreshAfter(CacheControl.maxAge(Optional.of("max-age=soon")))).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.refreshAfter(CacheControl.maxAge(Optional.empty()))).isEqualTo(Duration.ofMinutes(5));
    assertThat(settings.refreshAfter(CacheControl.maxAge(Optional.of("public")))).isEqualTo(Duration.ofMinutes(5));
  }
}
