package dev.embassy.ratelimit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embassy.testsupport.ManagedProcess;
import dev.embassy.testsupport.RepoPaths;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A ratelimit-service node as its own OS process, started from the packaged jar
 * (target/ratelimit-service.jar with target/lib) the way deploy/up starts it.
 */
final class NodeProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final String id;
  private final int grpcPort;
  private final int statusPort;
  private final ManagedProcess process;

  private NodeProcess(String id, int grpcPort, int statusPort, ManagedProcess process) {
    this.id = id;
    this.grpcPort = grpcPort;
    this.statusPort = statusPort;
    this.process = process;
  }

  static NodeProcess start(String id, int grpcPort, int statusPort, Map<String, String> settings, Path logDir) {
    Path jar = RepoPaths.root().resolve("ratelimit-service/target/ratelimit-service.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: run the ITs through Maven (verify), which packages it first");
    }
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    if (Runtime.version().feature() >= 24) {
      command.addAll(List.of("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"));
    }
    // Three nodes and the test share two cores: small heaps, and no C2 compile storms at start.
    command.addAll(List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
    Map<String, String> env = new HashMap<>(settings);
    env.put("EMBASSY_RATELIMIT_NODE_ID", id);
    env.put("EMBASSY_RATELIMIT_PORT", Integer.toString(grpcPort));
    env.put("EMBASSY_RATELIMIT_STATUS_PORT", Integer.toString(statusPort));
    ManagedProcess process = ManagedProcess.start("ratelimit-" + id, command, env, logDir.resolve(id + ".log"));
    return new NodeProcess(id, grpcPort, statusPort, process);
  }

  String id() {
    return id;
  }

  int grpcPort() {
    return grpcPort;
  }

  /** Waits until /readyz answers 200 and the node's view holds {@code members} members. */
  NodeProcess awaitReady(int members, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    String last = "no answer";
    while (Instant.now().isBefore(deadline)) {
      process.requireAlive();
      try {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort + "/readyz"))
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
        last = response.statusCode() + " " + response.body();
        if (response.statusCode() == 200 && memberCount(response.body()) == members) {
          return this;
        }
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(50);
    }
    throw new IllegalStateException("node " + id + " not ready with " + members + " members after " + timeout + " (last: " + last
        + "); log tail:\n" + process.logTail(30));
  }

  String metrics() {
    return NodeMetrics.scrape(statusPort);
  }

  /** SIGKILL, no goodbye: the node's counters die with it. */
  void kill() {
    ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
    try {
      ProcessHandle.of(process.pid()).ifPresent(h -> h.onExit().join());
    } catch (RuntimeException ignored) {
      // Already gone.
    }
  }

  String logTail(int lines) {
    return process.logTail(lines);
  }

  private static int memberCount(String json) throws IOException {
    return JSON.readTree(json).path("members").size();
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
  }
}
