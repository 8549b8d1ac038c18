package dev.embassy.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths inside the Embassy checkout, so tests use the same files the scripts ship. */
public final class RepoPaths {
  private RepoPaths() {}

  public static Path root() {
    String configured = System.getProperty("embassy.repo.root");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isDirectory(dir.resolve("envoy")) && Files.isRegularFile(dir.resolve("mvnw"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("cannot find the Embassy checkout above " + Path.of("").toAbsolutePath());
  }

  public static Path envoyBootstrap(String name) {
    return root().resolve("envoy").resolve("bootstrap").resolve(name);
  }
}
