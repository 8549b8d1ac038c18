package dev.embassy.controlplane;

import dev.embassy.controlplane.ir.GatewayConfig;
import dev.embassy.controlplane.source.StaticConfigFile;
import dev.embassy.controlplane.translate.XdsTranslator;
import dev.embassy.controlplane.xds.AdsServer;
import dev.embassy.controlplane.xds.SnapshotPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires source → translator → snapshot cache → ADS server, and runs until stopped. */
public final class ControlPlaneMain {
  private static final Logger LOG = LoggerFactory.getLogger(ControlPlaneMain.class);

  private ControlPlaneMain() {}

  public static void main(String[] args) throws Exception {
    ControlPlaneConfig config;
    GatewayConfig gateway;
    try {
      config = ControlPlaneConfig.fromEnvironment(System.getenv());
      gateway = StaticConfigFile.read(config.staticConfig());
    } catch (Exception e) {
      // Configuration errors are the operator's to fix; a stack trace would bury the message.
      LOG.error("cannot start: {}", e.getMessage());
      System.exit(2);
      return;
    }
    SnapshotPublisher publisher = new SnapshotPublisher();
    publisher.publish(XdsTranslator.translate(gateway));
    AdsServer server = AdsServer.start(config.xdsBind(), config.xdsPort(), publisher.cache());
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
    server.awaitTermination();
  }
}
