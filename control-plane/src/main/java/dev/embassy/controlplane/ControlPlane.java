package dev.embassy.controlplane;

import dev.embassy.config.store.ConfigFollower;
import dev.embassy.config.store.ProxyStatuses;
import dev.embassy.config.store.Quarantines;
import dev.embassy.controlplane.quarantine.QuarantineController;
import dev.embassy.controlplane.quarantine.RouteQuarantine;
import dev.embassy.controlplane.cache.XdsCache;
import dev.embassy.controlplane.endpoints.ConsulConnect;
import dev.embassy.controlplane.endpoints.ConsulEndpoints;
import dev.embassy.discovery.consul.ConsulConnectWatcher;
import dev.embassy.discovery.consul.ConsulServiceWatcher;
import dev.embassy.controlplane.status.ControlPlaneMetrics;
import dev.embassy.controlplane.status.ProxyStatusReporter;
import dev.embassy.controlplane.status.ControlPlaneHealth;
import dev.embassy.controlplane.xds.AdsServer;
import dev.embassy.controlplane.xds.ProxyRegistry;
import dev.embassy.controlplane.xds.ServedRevisions;
import dev.embassy.status.StatusHttpServer;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;

/**
 * One running control-plane replica, wired: store → follower → IR → translator → cache → ADS
 * server, Consul discovery feeding endpoints in beside the store, plus proxy status and the status
 * endpoints. {@link ControlPlaneMain} runs one; tests and
 * benchmarks start real ones in-process the same way.
 */
public final class ControlPlane implements AutoCloseable {
  private final ControlPlaneMetrics metrics;
  private final XdsCache cache;
  private final ConfigSync sync;
  private final ConfigFollower follower;
  private final ProxyRegistry proxies;
  private final ProxyStatusReporter reporter;
  private final AdsServer ads;
  private final StatusHttpServer status;
  private final String replica;
  private final ConsulEndpoints consul;
  private final ConsulConnect connect;
  private final QuarantineController quarantine;

  private ControlPlane(ControlPlaneMetrics metrics, XdsCache cache, ConfigSync sync, ConfigFollower follower, ProxyRegistry proxies,
      ProxyStatusReporter reporter, AdsServer ads, StatusHttpServer status, String replica, ConsulEndpoints consul,
      ConsulConnect connect, QuarantineController quarantine) {
    this.consul = consul;
    this.connect = connect;
    this.quarantine = quarantine;
    this.metrics = metrics;
    this.cache = cache;
    this.sync = sync;
    this.follower = follower;
    this.proxies = proxies;
    this.reporter = reporter;
    this.ads = ads;
    this.status = status;
    this.replica = replica;
  }

  /**
   * Starts a replica against {@code dataSource}; ports 0 in {@code config} pick free ones.
   *
   * @param replica this replica's name in proxy status
   */
  public static ControlPlane start(ControlPlaneConfig config, DataSource dataSource, String replica) {
    ControlPlaneMetrics metrics = new ControlPlaneMetrics();
    ServedRevisions served = new ServedRevisions();
    XdsCache cache = new XdsCache(Clock.systemUTC());
    ConfigSync[] sync = new ConfigSync[1];
    ProxyStatusReporter[] reporter = new ProxyStatusReporter[1];
    RouteQuarantine quarantine = new RouteQuarantine();
    ConsulEndpoints consul = new ConsulEndpoints(() -> ConsulServiceWatcher.connect(config.consul(), metrics.registry()),
        queries -> sync[0].endpointsChanged(cluster -> ConsulEndpoints.query(cluster).map(queries::contains).orElse(false)));
    ConsulConnect connect = new ConsulConnect(() -> ConsulConnectWatcher.connect(config.consul(), metrics.registry()),
        config.connectDefaultAllow(), () -> sync[0].meshChanged());
    QuarantineController[] quarantineController = new QuarantineController[1];
    sync[0] = new ConfigSync(cache, config.translationSettings(), consul, connect, metrics, served, quarantine,
        () -> quarantineController[0].published());
    quarantineController[0] = new QuarantineController(quarantine, cache, () -> sync[0].reapply(), () -> sync[0].gateways(),
        resources -> reporter[0].quarantined(resources), Clock.systemUTC());
    cache.events(quarantineController[0]);
    metrics.gauge("embassy.controlplane.quarantined.resources",
        "Resources kept out of what proxies are served because a proxy rejected them (routes, new clusters and the routes sending to them; the rest of each node group is served)", () -> quarantine.quarantined().size());
    metrics.gauge("embassy.controlplane.quarantine.probation.routes",
        "Routes left out for one round of a bisection that looks for the route a proxy rejected", quarantine::onProbation);
    ConfigFollower follower = new ConfigFollower(dataSource, config.debounce(), snapshot -> {
      // Watch what the new revision's clusters use before building it, so new services start
      // being watched (and stop, when no cluster uses them any more).
      consul.follow(snapshot.document().clusters());
      connect.follow(snapshot.document());
      sync[0].accept(snapshot);
    }).start();
    metrics.gauge("embassy.controlplane.store.reachable", "1 while the config store is reachable, 0 while the last loaded config is served",
        () -> follower.healthy() ? 1 : 0);
    metrics.gauge("embassy.controlplane.withdrawn.versions",
        "Resource versions withdrawn from their node group after a proxy rejected them (the last good version is served instead)",
        cache::withdrawnVersions);
    ProxyRegistry proxies = new ProxyRegistry(Clock.systemUTC(), metrics, served, nack -> reporter[0].nack(nack));
    reporter[0] = new ProxyStatusReporter(replica, proxies, new ProxyStatuses(dataSource), new Quarantines(dataSource), served::generation).start();
    AdsServer ads = AdsServer.start(config.xdsBind(), config.xdsPort(), cache, List.of(cache.streamTracker(), proxies),
        config.xdsSecurity(), metrics::xdsRefused);
    StatusHttpServer status = StatusHttpServer.start(config.statusBind(), config.statusPort(),
        () -> new ControlPlaneHealth(follower.healthy(), sync[0].servedRevision(), proxies.proxies().size(), failingWatches(consul),
            connect.failing(), connect.pending(), connect.unknownServices()).status(),
        metrics::scrape);
    return new ControlPlane(metrics, cache, sync[0], follower, proxies, reporter[0], ads, status, replica, consul, connect, quarantineController[0]);
  }

  private static List<String> failingWatches(ConsulEndpoints consul) {
    return consul.health().map(h -> h.watches().stream().filter(w -> w.failing()).map(w -> w.target()).toList()).orElse(List.of());
  }

  public int xdsPort() {
    return ads.port();
  }

  public int statusPort() {
    return status.port();
  }

  public String replica() {
    return replica;
  }

  public XdsCache cache() {
    return cache;
  }

  public ProxyRegistry proxies() {
    return proxies;
  }

  /** What follows the config store; closing it freezes this replica on the revision it serves. */
  public ConfigFollower follower() {
    return follower;
  }

  public ControlPlaneMetrics metrics() {
    return metrics;
  }

  /** The revision being served; -1 before the first. */
  public long servedRevision() {
    return sync.servedRevision();
  }

  /** Whether the config store is reachable (otherwise the last loaded config keeps being served). */
  public boolean storeReachable() {
    return follower.healthy();
  }

  public void awaitTermination() throws InterruptedException {
    ads.awaitTermination();
  }

  @Override
  public void close() {
    status.close();
    ads.close();
    quarantine.close();
    reporter.close();
    follower.close();
    consul.close();
    connect.close();
  }

  /** Consul Connect's failing watches (their last answer is served). */
  public List<String> failingConnect() {
    return connect.failing();
  }

  /** Connect services the config names that Consul's catalog does not list. */
  public List<String> unknownConnectServices() {
    return connect.unknownServices();
  }

  /** Consul discovery's state: which watches fail (their last endpoints keep being served). */
  public List<String> failingDiscovery() {
    return failingWatches(consul);
  }
}
