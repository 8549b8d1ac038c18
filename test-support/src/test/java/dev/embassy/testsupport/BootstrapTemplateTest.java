package dev.embassy.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BootstrapTemplateTest {
  @Test
  void fillsEveryPlaceholder() {
    assertThat(BootstrapTemplate.render("port: ${PORT} id: ${NODE_ID}", Map.of("PORT", "1", "NODE_ID", "a$b"), "t"))
        .isEqualTo("port: 1 id: a$b");
  }

  @Test
  void refusesToLeaveAPlaceholderUnfilled() {
    assertThatThrownBy(() -> BootstrapTemplate.render("${A} ${B}", Map.of("A", "x"), "t"))
        .hasMessageContaining("[B]");
  }
}
