package dev.embassy.controlplane.quarantine;

import dev.embassy.controlplane.cache.DeliveryEvents;
import dev.embassy.controlplane.cache.GroupSnapshot;
import dev.embassy.controlplane.cache.XdsCache;
import dev.embassy.controlplane.cache.XdsResource;
import dev.embassy.controlplane.cache.XdsType;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns proxies' rejections of RouteConfigurations into quarantined routes and rebuilds their node
 * group without them; ends bisection rounds on the ACK of a trial. All decisions and rebuilds run
 * on one thread of its own: the cache calls in on gRPC threads, and a rebuild takes as long as a
 * translation.
 */
public final class QuarantineController implements DeliveryEvents, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(QuarantineController.class);

  private final RouteQuarantine quarantine;
  private final XdsCache cache;
  private final Runnable rebuild;
  private final Consumer<List<RouteQuarantine.Quarantined>> report;
  private final Clock clock;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("route-quarantine").daemon().factory());

  /**
   * @param rebuild re-runs the pipeline on the revision being served (with the quarantine applied)
   * @param report where the quarantined routes go whenever they change (status, the admin API)
   */
  public QuarantineController(RouteQuarantine quarantine, XdsCache cache, Runnable rebuild, Consumer<List<RouteQuarantine.Quarantined>> report,
      Clock clock) {
    this.quarantine = quarantine;
    this.cache = cache;
    this.rebuild = rebuild;
    this.report = report;
    this.clock = clock;
  }

  @Override
  public void rejected(String group, String proxyId, XdsType type, List<XdsResource> rejected, SortedMap<String, XdsResource> held, String detail) {
    if (type != XdsType.ROUTE) {
      return;
    }
    thread.execute(() -> {
      Optional<GroupSnapshot> target = cache.target(group);
      boolean changed = false;
      for (XdsResource resource : rejected) {
        RouteConfiguration targetConfig = target.map(t -> t.resources(XdsType.ROUTE).get(resource.name()))
            .map(r -> (RouteConfiguration) r.message()).orElse(null);
        XdsResource before = held == null ? null : held.get(resource.name());
        changed |= quarantine.rejected(group, proxyId, (RouteConfiguration) resource.message(),
            before == null ? null : (RouteConfiguration) before.message(), targetConfig, detail, clock.instant());
      }
      if (!changed) {
        return;
      }
      List<RouteQuarantine.Quarantined> now = quarantine.quarantined();
      LOG.atWarn().addKeyValue("node_group", group).addKeyValue("proxy", proxyId).addKeyValue("quarantined", now.stream().map(q -> q.route()).toList())
          .addKeyValue("on_probation", quarantine.onProbation()).addKeyValue("detail", detail)
          .log("proxy rejected a route configuration; the routes it is blamed on are kept out and everything else is served");
      // Reported before the rebuild, so whoever sees the rebuilt revision ACKed also sees why a route is missing.
      report.accept(now);
      rebuild.run();
      cache.target(group).ifPresent(t -> rejected.forEach(r -> {
        XdsResource rebuilt = t.resources(XdsType.ROUTE).get(r.name());
        if (rebuilt != null) {
          quarantine.trial(group, r.name(), rebuilt.version());
          // A proxy may have ACKed the trial before it was registered.
          if (cache.heldInGroup(group, XdsType.ROUTE, r.name(), rebuilt.version())) {
            accepted(group, XdsType.ROUTE, new java.util.TreeMap<>(java.util.Map.of(r.name(), rebuilt)));
          }
        }
      }));
    });
  }

  @Override
  public void accepted(String group, XdsType type, SortedMap<String, XdsResource> view) {
    if (type != XdsType.ROUTE || !quarantine.bisecting()) {
      return;
    }
    for (XdsResource resource : view.values()) {
      if (quarantine.accepted(group, resource.name(), resource.version())) {
        LOG.atInfo().addKeyValue("node_group", group).addKeyValue("route_configuration", resource.name())
            .log("bisection: the trial was accepted; the routes on probation are tried again");
        thread.execute(rebuild);
        return;
      }
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
