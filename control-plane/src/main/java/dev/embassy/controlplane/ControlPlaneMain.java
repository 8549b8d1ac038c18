package dev.embassy.controlplane;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.config.store.ConfigFollower;
import dev.embassy.controlplane.xds.AdsServer;
import dev.embassy.controlplane.xds.NackAwareConfigWatcher;
import dev.embassy.controlplane.xds.ProxyRegistry;
import dev.embassy.controlplane.xds.ServedRevisions;
import dev.embassy.controlplane.xds.SnapshotPublisher;
import dev.embassy.controlplane.status.ControlPlaneMetrics;
import dev.embassy.controlplane.status.ProxyStatusReporter;
import dev.embassy.controlplane.status.StatusHttpServer;
import dev.embassy.config.store.ProxyStatuses;
import java.time.Clock;
import java.util.List;
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
    ControlPlaneMetrics metrics = new ControlPlaneMetrics();
    ServedRevisions served = new ServedRevisions();
    ConfigSync sync = new ConfigSync(publisher, config.translationSettings(), EndpointSource.NONE, metrics, served);
    ConfigFollower follower = new ConfigFollower(dataSource, config.debounce(), sync).start();
    metrics.gauge("embassy.controlplane.store.reachable", "1 while the config store is reachable, 0 while the last loaded config is served", () -> follower.healthy() ? 1 : 0);
    String replica = replicaName(config.xdsPort());
    ProxyStatusReporter[] reporter = new ProxyStatusReporter[1];
    ProxyRegistry proxies = new ProxyRegistry(Clock.systemUTC(), metrics, served, nack -> reporter[0].nack(nack));
    reporter[0] = new ProxyStatusReporter(replica, proxies, new ProxyStatuses(dataSource), served::latest).start();
    AdsServer server = AdsServer.start(config.xdsBind(), config.xdsPort(),
        new NackAwareConfigWatcher(publisher.cache(), proxies), List.of(proxies));
    StatusHttpServer status = StatusHttpServer.start(config.statusBind(), config.statusPort(),
        () -> new StatusHttpServer.Health(follower.healthy(), sync.servedRevision(), proxies.proxies().size()), metrics);
    LOG.info("replica {} serving; status on {}:{}", replica, config.statusBind(), status.port());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      status.close();
      server.close();
      reporter[0].close();
      follower.close();
      dataSource.close();
    }, "shutdown"));
    server.awaitTermination();
  }

  /** Names this replica in proxy status: host and xDS port, unless EMBASSY_REPLICA_ID says otherwise. */
  private static String replicaName(int port) {
    String configured = System.getenv("EMBASSY_REPLICA_ID");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName() + ":" + port;
    } catch (java.net.UnknownHostException e) {
      return "replica-" + ProcessHandle.current().pid() + ":" + port;
    }
  }
}
