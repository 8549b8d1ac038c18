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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A real {@code consul agent -dev} bound to 127.0.0.1 only, every port chosen free (none of
 * Consul's defaults, so it can run beside a developer's own agent), stopped on close.
 *
 * <p>It can be killed and started again on the same ports, for tests of clients that must ride
 * out a Consul outage (a client keeps its configured address, so a restart on new ports would
 * test nothing). Dev mode keeps its state in memory: after a restart the catalog is empty and its
 * indexes start low again, which is what a client must cope with. Extra agent flags (e.g.
 * {@code -hcl} with raised limits) can be given.
 */
public final class ConsulAgent implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final int[] ports;
  private final List<String> extraArgs;
  private final Path workDir;
  private ManagedProcess process;
  private int starts;

  private ConsulAgent(int[] ports, List<String> extraArgs, Path workDir) {
    this.ports = ports;
    this.extraArgs = List.copyOf(extraArgs);
    this.workDir = workDir;
  }

  public static ConsulAgent start() {
    return start(List.of());
  }

  /** Starts an agent with these flags added to the dev-mode command line. */
  public static ConsulAgent start(List<String> extraArgs) {
    try {
      ConsulAgent agent =
          new ConsulAgent(FreePorts.many(6), extraArgs, Files.createTempDirectory("embassy-consul-"));
      agent.launch();
      return agent;
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare Consul's work directory", e);
    }
  }

  public int httpPort() {
    return ports[0];
  }

  /** The plaintext gRPC port, where the agent serves xDS to Consul-managed Envoys. */
  public int grpcPort() {
    return ports[5];
  }

  public URI httpAddress() {
    return URI.create("http://127.0.0.1:" + ports[0]);
  }

  /** The agent's process id, e.g. to read its CPU time. */
  public long pid() {
    return process.pid();
  }

  /** Kills the agent at once (SIGKILL): connections drop, nothing is flushed. */
  public void kill() {
    ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
    process.close();
  }

  /** Starts a fresh dev agent on the same ports; waits for its leader. */
  public void restart() {
    if (process.isAlive()) {
      kill();
    }
    launch();
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
      throw new UncheckedIOException(method + " " + path + " failed; consul log:\n" + logTail(20), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String logTail(int lines) {
    return process.logTail(lines);
  }

  private void launch() {
    List<String> command =
        new ArrayList<>(
            List.of(
                RealBinary.CONSUL.path().toString(), "agent", "-dev",
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
                "-log-level", "warn"));
    command.addAll(extraArgs);
    starts++;
    process = ManagedProcess.start("consul", command, Map.of(), workDir.resolve("consul-" + starts + ".log"));
    awaitLeader(Duration.ofSeconds(30));
  }

  private void awaitLeader(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      process.requireAlive();
      try {
        if (http("GET", "/v1/status/leader", null).strip().length() > 2) {
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
    String log = logTail(40);
    close();
    throw new IllegalStateException("consul elected no leader in " + timeout + "; log:\n" + log);
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
    try (var paths = Files.walk(workDir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A leftover temp dir is harmless.
    }
  }
}
