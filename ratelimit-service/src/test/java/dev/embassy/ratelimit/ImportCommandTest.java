package dev.embassy.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.validate.ResourceValidator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ratelimit-service import DIR}: envoyproxy/ratelimit files in, a document for embassyctl apply out. */
class ImportCommandTest {
  @Test
  void printsADocumentTheAdminApiAccepts() throws Exception {
    Captured run = run(List.of(dir("envoy-ratelimit-examples").toString()));
    assertThat(run.exit()).isZero();
    ConfigDocument document = ConfigJson.json().readValue(run.out(), ConfigDocument.class);
    assertThat(document.rateLimitPolicies()).hasSize(9);
    document.rateLimitPolicies().forEach(p -> assertThat(ResourceValidator.validate(p)).as(p.name()).isEmpty());
    assertThat(run.err()).contains("requestDescriptors were invented").contains("specific_limit");
  }

  @Test
  void failsWithEveryProblemOnStandardError() throws Exception {
    Captured run = run(List.of(dir("envoy-ratelimit-unsupported").toString()));
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("share_threshold");
  }

  private record Captured(int exit, String out, String err) {}

  private static Captured run(List<String> args) throws Exception {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
      int exit = RateLimitServiceMain.importFiles(args);
      return new Captured(exit, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static Path dir(String name) throws URISyntaxException {
    return Path.of(ImportCommandTest.class.getResource("/" + name).toURI());
  }
}
