package dev.embassy.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway Postgres cluster from Debian's packages: initdb into a temp dir, started on a free
 * 127.0.0.1 port with durability switched off (tests never need crash safety), and removed on
 * close. Postgres refuses to run as root, so as root it runs as an unprivileged user.
 */
public final class LocalPostgresCluster implements PostgresServer {
  /** Marker in the data dir path; deploy/test reaps clusters of killed test JVMs by it. */
  static final String DIR_PREFIX = "embassy-it-pg-";

  private final Path binDir;
  private final Path dataDir;
  private final int port;

  private LocalPostgresCluster(Path binDir, Path dataDir, int port) {
    this.binDir = binDir;
    this.dataDir = dataDir;
    this.port = port;
  }

  public static LocalPostgresCluster start() {
    Path root = null;
    try {
      // The provisioned link sits under the invoking user's home, which the unprivileged
      // service user may not be able to enter; the target (Debian's bin dir) is world-readable.
      Path binDir = RealBinary.POSTGRES_BIN_DIR.path().toRealPath();
      root = Files.createTempDirectory(Path.of("/tmp"), DIR_PREFIX);
      Path dataDir = root.resolve("data");
      if (isRoot()) {
        run(List.of("chown", serviceUser(), root.toString()), root.resolve("chown.log"));
      }
      run(asServiceUser(List.of(
              binDir.resolve("initdb").toString(), "-D", dataDir.toString(),
              "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")),
          root.resolve("initdb.log"));
      int port = FreePorts.one();
      run(asServiceUser(List.of(
              binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(),
              "-l", root.resolve("server.log").toString(), "-w", "-t", "60",
              "-o", serverOptions(port),
              "start")),
          root.resolve("pg_ctl-start.log"));
      LocalPostgresCluster cluster = new LocalPostgresCluster(binDir, dataDir, port);
      Runtime.getRuntime().addShutdownHook(new Thread(cluster::stop, "stop-postgres"));
      return cluster;
    } catch (IOException e) {
      cleanUp(root);
      throw new UncheckedIOException("could not create a Postgres cluster", e);
    } catch (RuntimeException e) {
      cleanUp(root);
      throw e;
    }
  }

  private static void cleanUp(Path root) {
    if (root != null) {
      deleteTree(root);
    }
  }

  @Override
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  @Override
  public String user() {
    return "postgres";
  }

  @Override
  public String password() {
    return "";
  }

  /** The server's main process (its backends are its children), from {@code postmaster.pid}. */
  public long postmasterPid() {
    try {
      return Long.parseLong(java.nio.file.Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).strip());
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalStateException("no running postmaster in " + dataDir, e);
    }
  }

  public int port() {
    return port;
  }

  /** Stops the server but keeps its data, to simulate an outage; {@link #restart()} brings it back. */
  public synchronized void stopServer() {
    run(asServiceUser(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "stop")),
        dataDir.getParent().resolve("pg_ctl-outage.log"));
  }

  /** Starts the server again on the same port after {@link #stopServer()}. */
  public synchronized void restart() {
    run(asServiceUser(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(),
            "-l", dataDir.getParent().resolve("server.log").toString(), "-w", "-t", "60",
            "-o", serverOptions(port),
            "start")),
        dataDir.getParent().resolve("pg_ctl-restart.log"));
  }

  @Override
  public void close() {
    stop();
  }

  private synchronized void stop() {
    if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
      return;
    }
    try {
      run(asServiceUser(List.of(
              binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", "immediate", "-w", "stop")),
          dataDir.getParent().resolve("pg_ctl-stop.log"));
    } finally {
      deleteTree(dataDir.getParent());
    }
  }

  /** Loopback TCP only, and no durability: tests never need crash safety, and fsync is slow. */
  private static String serverOptions(int port) {
    return "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories= "
        + "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static String serviceUser() {
    String configured = System.getenv("EMBASSY_SERVICE_USER");
    return configured == null || configured.isBlank() ? "nobody" : configured;
  }

  private static List<String> asServiceUser(List<String> command) {
    if (!isRoot()) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", serviceUser(), "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  private static void run(List<String> command, Path log) {
    try {
      Process process =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("timed out: " + command);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "%s exited %d:%n%s".formatted(command, process.exitValue(), Files.readString(log)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // Left in /tmp; deploy/test removes stale clusters by their prefix.
    }
  }
}
