package dev.embassy.testsupport;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The kc.sh start options a guide gives are refused before anything starts when the test could not move or reach them. */
class KeycloakServerOptionsTest {
  @Test
  void optionsWithoutBothPortsAnotherHostOrAPlainWordAreRefused() {
    assertThatThrownBy(() -> KeycloakServer.start(List.of("--optimized", "--http-port=8080")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--http-management-port");
    assertThatThrownBy(() -> KeycloakServer.start(List.of("--http-port=8080", "--http-management-port=9000", "--http-host=0.0.0.0")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("127.0.0.1");
    assertThatThrownBy(() -> KeycloakServer.start(List.of("--http-port=8080", "--http-management-port=9000", "start-dev")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("start-dev");
  }
}
