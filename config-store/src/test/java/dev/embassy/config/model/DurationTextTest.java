package dev.embassy.config.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {
  @Test
  void parsesGatewayApiDurationsAndDays() {
    assertThat(DurationText.parse("250ms")).contains(Duration.ofMillis(250));
    assertThat(DurationText.parse("1h30m")).contains(Duration.ofMinutes(90));
    assertThat(DurationText.parse("1d")).contains(Duration.ofDays(1));
    assertThat(DurationText.parse("0s")).contains(Duration.ZERO);
  }

  @Test
  void rejectsEverythingElse() {
    for (String bad : new String[] {"", "1", "1.5s", "-1s", "1 s", "1S", "PT1S", "1sec", "9999999s", "1s1s1s1s1s1s"}) {
      assertThat(DurationText.parse(bad)).as(bad).isEmpty();
    }
  }
}
