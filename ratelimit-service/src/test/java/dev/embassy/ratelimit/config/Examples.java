package dev.embassy.ratelimit.config;

import dev.embassy.config.model.RateLimitPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The test files that follow envoyproxy/ratelimit's documented examples. */
final class Examples {
  private Examples() {}

  static Path dir(String name) {
    try {
      return Path.of(Examples.class.getResource("/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path file(String name) {
    return dir("envoy-ratelimit-examples").resolve(name);
  }

  static String text(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static RateLimitPolicy policy(String file) {
    return EnvoyRatelimitImporter.importFile(file, text(file(file))).policy();
  }

  static CompiledPolicy compiled(String file) {
    return PolicyCompiler.compile(policy(file));
  }
}
