package dev.embassy.testsupport;

import java.io.IOException;
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
 * A real {@code consul agent -dev} bound to 127.0.0.1 only, every port chosen free (none of
 * Consul's defaults, so it can run beside a developer's own agent), stopped on close.
 */
public final class ConsulAgent implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final ManagedProcess process;
  private final int httpPort;
  private final Path workDir;

  private ConsulAgent(ManagedProcess process, int httpPort, Path workDir) {
    this.process = process;
    this.httpPort = httpPort;
    this.workDir = workDir;
  }

  public static ConsulAgent start() {
    Path consul = RealBinary.CONSUL.path();
    int[] ports = FreePorts.many(6);
    try {
      Path workDir = Files.createTempDirectory("embassy-consul-");
      ManagedProcess process =
          ManagedProcess.start(
              "consul",
              List.of(
                  consul.toString(), "agent", "-dev",
                  "-node", "embassy-test",
                  "-client", "127.0.0.1", "-bind", "127.0.0.1", "-advertise", "127.0.0.1",
                  "-http-port", Integer.toString(ports[0]),
                  "-https-port", "-1",
                  "-dns-port", Integer.toString(ports[1]),
                  "-serf-lan-port", Integer.toString(ports[2]),
                  "-serf-wan-port", Integer.toString(ports[3]),
                  "-server-port", Integer.toString(ports[4]),
                  "-grpc-port", Integer.toString(ports[5]),
                  // Dev mode otherwise still opens gRPC TLS on the default 8503.
                  "-grpc-tls-port", "-1",
                  "-log-level", "warn"),
              Map.of(),
              workDir.resolve("consul.log"));
      ConsulAgent agent = new ConsulAgent(process, ports[0], workDir);
      agent.awaitLeader(Duration.ofSeconds(30));
      return agent;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("could not prepare Consul's work directory", e);
    }
  }

  public int httpPort() {
    return httpPort;
  }

  public URI httpAddress() {
    return URI.create("http://127.0.0.1:" + httpPort);
  }

  public String logTail(int lines) {
    return process.logTail(lines);
  }

  /** PUT/GET on the HTTP API; returns the body, failing on a non-2xx status. */
  public String http(String method, String path, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(httpAddress().resolve(path)).timeout(Duration.ofSeconds(10));
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(method + " " + path + " failed; consul log:\n" + logTail(20), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void awaitLeader(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      process.requireAlive();
      try {
        String leader = http("GET", "/v1/status/leader", null).strip();
        if (leader.length() > 2) {
          return;
        }
      } catch (RuntimeException notYet) {
        // The HTTP listener opens a moment after the process starts.
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    close();
    throw new IllegalStateException("consul elected no leader in " + timeout + "; log:\n" + logTail(40));
  }

  @Override
  public void close() {
    process.close();
    try (var paths = Files.walk(workDir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A leftover temp dir is harmless.
    }
  }
}
