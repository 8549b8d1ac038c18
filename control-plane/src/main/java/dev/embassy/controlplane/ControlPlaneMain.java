package dev.embassy.controlplane;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.store.ConfigDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one control-plane replica until the process is stopped. */
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
    ControlPlane controlPlane = ControlPlane.start(config, dataSource, config.replicaId());
    LOG.info("replica {} serving xDS on {}:{}; status on {}:{}", controlPlane.replica(), config.xdsBind(), controlPlane.xdsPort(),
        config.statusBind(), controlPlane.statusPort());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      controlPlane.close();
      dataSource.close();
    }, "shutdown"));
    controlPlane.awaitTermination();
  }
}
