package dev.embassy.controlplane;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.controlplane.source.ConfigFollower;
import dev.embassy.controlplane.xds.AdsServer;
import dev.embassy.controlplane.xds.SnapshotPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires store → follower → IR → translator → snapshot cache → ADS server, and runs until stopped. */
public final class ControlPlaneMain {
  private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneMain.class);

  private ControlPlaneMain() {}

  public static void main(String[] args) throws Exception {
    ControlPlaneConfig config;
    try {
      config = ControlPlaneConfig.fromEnvironment(System.getenv());
    } catch (RuntimeException e) {
      // Configuration errors are the operator's to fix; a stack trace would bury the message.
      LOG.error("cannot start: {}", e.getMessage());
      System.exit(2);
      return;
    }
    HikariDataSource dataSource = ConfigDatabase.connect(config.databaseUrl(), config.databaseUser(), config.databasePassword(), 4);
    SnapshotPublisher publisher = new SnapshotPublisher();
    ConfigSync sync = new ConfigSync(publisher, config.listenerAddress(), EndpointSource.NONE);
    ConfigFollower follower = new ConfigFollower(dataSource, config.debounce(), sync).start();
    AdsServer server = AdsServer.start(config.xdsBind(), config.xdsPort(), publisher.cache());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      follower.close();
      dataSource.close();
    }, "shutdown"));
    server.awaitTermination();
  }
}
