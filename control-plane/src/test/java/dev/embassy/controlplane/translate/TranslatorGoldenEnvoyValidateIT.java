package dev.embassy.controlplane.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.testsupport.EnvoyProcess;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden output, rendered as a static bootstrap, is accepted by a real
 * {@code envoy --mode validate}: the check that catches config our validation let through but
 * Envoy would NACK.
 */
class TranslatorGoldenEnvoyValidateIT {
  static List<String> cases() throws Exception {
    return GoldenFiles.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void envoyAcceptsTheTranslation(String name) throws Exception {
    for (XdsResources group : GoldenFiles.translate(name)) {
      EnvoyProcess.Validation validation = EnvoyProcess.validate(StaticBootstrap.render(group));
      assertThat(validation.accepted()).as(name + " / " + group.nodeGroup() + ":\n" + validation.output()).isTrue();
    }
  }
}
