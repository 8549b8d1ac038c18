package dev.embassy.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Envoy started from a bootstrap template on a free admin port. Its log is captured to a
 * file (shown on failure) and the process is always stopped on close.
 */
public final class EnvoyProcess implements AutoCloseable {
  /** Placeholder every bootstrap template uses for the admin port; filled in here. */
  public static final String ADMIN_PORT = "ENVOY_ADMIN_PORT";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final ManagedProcess process;
  private final int adminPort;
  private final Path workDir;

  private EnvoyProcess(ManagedProcess process, int adminPort, Path workDir) {
    this.process = process;
    this.adminPort = adminPort;
    this.workDir = workDir;
  }

  /** Starts Envoy from {@code template} with {@code values}; the admin port is chosen here. */
  public static EnvoyProcess start(Path template, Map<String, String> values) {
    int adminPort = FreePorts.one();
    Map<String, String> all = new HashMap<>(values);
    all.put(ADMIN_PORT, Integer.toString(adminPort));
    return startRendered(BootstrapTemplate.render(template, all), adminPort);
  }

  /** Starts Envoy from a complete bootstrap whose admin listens on 127.0.0.1:{@code adminPort}. */
  public static EnvoyProcess startRendered(String bootstrapYaml, int adminPort) {
    Path envoy = RealBinary.ENVOY.path();
    try {
      Path workDir = Files.createTempDirectory("embassy-envoy-");
      Path bootstrap = workDir.resolve("bootstrap.yaml");
      Files.writeString(bootstrap, bootstrapYaml);
      ManagedProcess process =
          ManagedProcess.start(
              "envoy",
              List.of(
                  envoy.toString(),
                  "-c", bootstrap.toString(),
                  "--disable-hot-restart",
                  "--concurrency", "2",
                  "--log-level", "info",
                  "--drain-time-s", "1"),
              Map.of(),
              workDir.resolve("envoy.log"));
      return new EnvoyProcess(process, adminPort, workDir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare Envoy's work directory", e);
    }
  }

  /**
   * Runs {@code envoy --mode validate} on a complete static bootstrap: the check Envoy itself
   * applies, which catches config our API or translator let through but Envoy would reject.
   */
  public static Validation validate(String bootstrapYaml) {
    Path envoy = RealBinary.ENVOY.path();
    Path dir = null;
    try {
      dir = Files.createTempDirectory("embassy-envoy-validate-");
      Path bootstrap = dir.resolve("bootstrap.yaml");
      Files.writeString(bootstrap, bootstrapYaml);
      Path log = dir.resolve("validate.log");
      Process process =
          new ProcessBuilder(
                  envoy.toString(), "--mode", "validate", "-c", bootstrap.toString(),
                  "--disable-hot-restart", "--log-level", "warn")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("envoy --mode validate did not finish in 60s");
      }
      return new Validation(process.exitValue() == 0, Files.readString(log));
    } catch (IOException e) {
      throw new UncheckedIOException("envoy --mode validate failed to run", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (dir != null) {
        deleteQuietly(dir);
      }
    }
  }

  public record Validation(boolean accepted, String output) {}

  public int adminPort() {
    return adminPort;
  }

  public Path log() {
    return process.log();
  }

  public String logTail(int lines) {
    return process.logTail(lines);
  }

  /** Waits until the admin /ready endpoint answers LIVE, i.e. the initial xDS fetch finished. */
  public EnvoyProcess awaitReady(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    String last = "no answer";
    while (Instant.now().isBefore(deadline)) {
      process.requireAlive();
      try {
        HttpResponse<String> response = adminResponse("/ready");
        if (response.statusCode() == 200 && response.body().strip().equals("LIVE")) {
          return this;
        }
        last = response.statusCode() + " " + response.body().strip();
      } catch (IOException e) {
        last = e.toString();
      }
      sleep(50);
    }
    throw new IllegalStateException(
        "Envoy not ready after %s (last /ready: %s); log tail:%n%s".formatted(timeout, last, logTail(40)));
  }

  /** GET on the admin interface; fails on a non-200 answer. */
  public String admin(String pathAndQuery) {
    try {
      HttpResponse<String> response = adminResponse(pathAndQuery);
      if (response.statusCode() != 200) {
        throw new IllegalStateException("admin " + pathAndQuery + " answered " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException("admin " + pathAndQuery + " failed; log tail:\n" + logTail(20), e);
    }
  }

  /**
   * The value of the stat named exactly {@code name}; fails when Envoy has no such stat, so a
   * misspelt name cannot pass as a zero.
   */
  public long stat(String name) {
    String filter = java.net.URLEncoder.encode("^" + name.replace(".", "\\.") + "$", java.nio.charset.StandardCharsets.UTF_8);
    for (String line : admin("/stats?filter=" + filter).split("\n")) {
      if (line.startsWith(name + ": ")) {
        return Long.parseLong(line.substring(name.length() + 2).strip());
      }
    }
    throw new IllegalStateException("Envoy has no stat " + name);
  }

  public String configDump() {
    return admin("/config_dump");
  }

  private HttpResponse<String> adminResponse(String pathAndQuery) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + pathAndQuery))
            .timeout(Duration.ofSeconds(5))
            .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    process.close();
    // Failure messages already carry the log tail, so the directory is not kept for post-mortems.
    deleteQuietly(workDir);
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A leftover temp dir is harmless.
    }
  }
}
