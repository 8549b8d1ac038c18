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
import java.util.List;
import java.util.Map;

/**
 * Consul's own sidecar for a registered service: {@code consul connect envoy -sidecar-for <id>}
 * running the provisioned Envoy, which gets its config from the agent's gRPC (xDS) port. Consul
 * checks Envoy's version against the ones it was built for; {@code -ignore-envoy-compatibility}
 * lets it run the Envoy the project pins. Stopped on close.
 */
public final class ConsulManagedSidecar implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final ManagedProcess process;
  private final int adminPort;

  private ConsulManagedSidecar(ManagedProcess process, int adminPort) {
    this.process = process;
    this.adminPort = adminPort;
  }

  /** Starts the sidecar of the service registered as {@code serviceId} (with a {@code Connect.SidecarService}). */
  public static ConsulManagedSidecar start(ConsulAgent consul, String serviceId) {
    int adminPort = FreePorts.one();
    try {
      Path log = Files.createTempDirectory("embassy-consul-envoy-").resolve("envoy.log");
      // consul execs Envoy in its own place, so closing the process stops Envoy.
      ManagedProcess process = ManagedProcess.start("consul-envoy", List.of(
          RealBinary.CONSUL.path().toString(), "connect", "envoy",
          "-sidecar-for", serviceId,
          "-http-addr", consul.httpAddress().toString(),
          "-grpc-addr", "127.0.0.1:" + consul.grpcPort(),
          "-admin-bind", "127.0.0.1:" + adminPort,
          "-envoy-binary", RealBinary.ENVOY.path().toString(),
          "-ignore-envoy-compatibility",
          "--", "--log-level", "warn"), Map.of(), log);
      return new ConsulManagedSidecar(process, adminPort);
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare the Consul sidecar's log", e);
    }
  }

  /** Waits until Envoy's admin says it is live (its listeners came from Consul). */
  public ConsulManagedSidecar awaitReady(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      process.requireAlive();
      try {
        if (admin("/ready").strip().equals("LIVE")) {
          return this;
        }
      } catch (RuntimeException notYet) {
        // Envoy's admin listener opens a moment after consul execs it.
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("Consul's sidecar not ready after " + timeout + "; log:\n" + process.logTail(30));
  }

  /** GET on Envoy's admin interface. */
  public String admin(String pathAndQuery) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + pathAndQuery)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String logTail(int lines) {
    return process.logTail(lines);
  }

  @Override
  public void close() {
    process.close();
  }
}
