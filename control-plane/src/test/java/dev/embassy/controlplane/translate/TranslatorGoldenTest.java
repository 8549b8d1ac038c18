package dev.embassy.controlplane.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every golden input translates to exactly its golden output. */
class TranslatorGoldenTest {
  static List<String> cases() throws Exception {
    return GoldenFiles.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void translationMatchesGoldenFile(String name) throws Exception {
    String actual = GoldenFiles.render(GoldenFiles.translate(name));
    Path golden = GoldenFiles.directory().resolve(name + ".json");
    if ("1".equals(System.getenv("GOLDEN_UPDATE"))) {
      Files.writeString(golden, actual);
    }
    assertThat(golden).as("golden file; run with GOLDEN_UPDATE=1 to create it and review the diff").exists();
    assertThat(actual).isEqualTo(Files.readString(golden));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void translationIsDeterministic(String name) throws Exception {
    assertThat(GoldenFiles.render(GoldenFiles.translate(name))).isEqualTo(GoldenFiles.render(GoldenFiles.translate(name)));
  }
}
