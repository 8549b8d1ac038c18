package dev.embassy.controlplane.endpoints;

import dev.embassy.config.model.ConfigDocument;
import dev.embassy.controlplane.ir.MeshIdentity;
import dev.embassy.controlplane.ir.MeshIntentions;
import dev.embassy.controlplane.ir.MeshSource;
import dev.embassy.discovery.ConnectIntention;
import dev.embassy.discovery.ConnectLeaf;
import dev.embassy.discovery.ConnectRoots;
import dev.embassy.discovery.WatchHandle;
import dev.embassy.discovery.WatcherHealth;
import dev.embassy.discovery.consul.ConsulConnectWatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consul Connect state for the sidecars that opted in: the CA roots, each identity's leaf
 * certificate, and the intentions, watched only while some gateway has a Connect identity
 * ({@code sidecar.connect}, or {@code connect} on an edge gateway).
 * Every change is reported (one call at a time, bursts merged), so the control plane rebuilds
 * the Connect node groups; what Consul last answered stays while it is unreachable.
 */
public final class ConsulConnect implements MeshSource, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsulConnect.class);

  private final Supplier<ConsulConnectWatcher> connect;
  private final boolean defaultAllow;
  private final CoalescingNotifier<String> changed;
  private final Map<String, ConnectLeaf> leaves = new ConcurrentHashMap<>();
  private final Map<String, WatchHandle> leafWatches = new HashMap<>();
  private volatile Optional<ConnectRoots> roots = Optional.empty();
  private volatile Optional<List<ConnectIntention>> intentions = Optional.empty();
  private volatile Optional<Set<String>> catalog = Optional.empty();
  /** The services the config names: identities and Connect clusters' destinations. */
  private volatile Set<String> named = Set.of();
  private WatchHandle rootsWatch;
  private WatchHandle intentionsWatch;
  private WatchHandle catalogWatch;
  private ConsulConnectWatcher watcher;

  /**
   * @param connect opens the watcher on first need: a config without Connect never asks Consul
   * @param defaultAllow Consul's default intention policy, for callers no intention names
   * @param changed told (on a thread of its own) that roots, a leaf or the intentions changed
   */
  public ConsulConnect(Supplier<ConsulConnectWatcher> connect, boolean defaultAllow, Runnable changed) {
    this.connect = connect;
    this.defaultAllow = defaultAllow;
    this.changed = new CoalescingNotifier<>("consul-connect-changed", keys -> changed.run());
  }

  /** The Connect identities {@code document}'s sidecars take. */
  static Set<String> identities(ConfigDocument document) {
    Set<String> services = new TreeSet<>();
    document.gateways().forEach(g -> g.identity().ifPresent(c -> services.add(c.service())));
    return services;
  }

  /** Watches what {@code document} needs: a leaf per identity, and roots, intentions and the catalog while there is one. */
  public synchronized void follow(ConfigDocument document) {
    Set<String> wanted = identities(document);
    Set<String> services = new TreeSet<>(wanted);
    document.clusters().forEach(c -> c.connect().ifPresent(connect -> services.add(connect.service())));
    named = Set.copyOf(services);
    for (var it = leafWatches.entrySet().iterator(); it.hasNext();) {
      var watch = it.next();
      if (!wanted.contains(watch.getKey())) {
        watch.getValue().close();
        leaves.remove(watch.getKey());
        it.remove();
        LOG.info("stopped watching the Connect leaf of {}: no sidecar takes that identity any more", watch.getKey());
      }
    }
    if (wanted.isEmpty()) {
      if (rootsWatch != null) {
        rootsWatch.close();
        intentionsWatch.close();
        catalogWatch.close();
        rootsWatch = null;
        intentionsWatch = null;
        catalogWatch = null;
      }
      return;
    }
    if (watcher == null) {
      watcher = connect.get();
    }
    if (rootsWatch == null) {
      rootsWatch = watcher.watchRoots(next -> {
        roots = Optional.of(next);
        LOG.info("Consul Connect roots: trust domain {}, {} root(s)", next.trustDomain(), next.certificatesPem().size());
        changed.changed("roots");
      });
      intentionsWatch = watcher.watchIntentions(next -> {
        intentions = Optional.of(next);
        LOG.info("Consul intentions: {}", next.size());
        changed.changed("intentions");
      });
      // Consul signs a leaf for any name; only the catalog tells that a name is nobody's.
      catalogWatch = watcher.watchServices(next -> catalog = Optional.of(Set.copyOf(next)));
    }
    for (String service : wanted) {
      if (!leafWatches.containsKey(service)) {
        leafWatches.put(service, watcher.watchLeaf(service, leaf -> leafChanged(service, leaf)));
        LOG.info("watching the Connect leaf of {}", service);
      }
    }
  }

  private void leafChanged(String service, ConnectLeaf leaf) {
    synchronized (this) {
      if (!leafWatches.containsKey(service)) {
        return;
      }
      if (!leaf.spiffeId().startsWith("spiffe://") || !leaf.spiffeId().contains("/svc/")) {
        LOG.warn("Consul's leaf for {} certifies no service SPIFFE ID ({}); keeping the last good one", service, leaf.spiffeId());
        return;
      }
      leaves.put(service, leaf);
    }
    LOG.info("Connect leaf of {}: {} valid until {}", service, leaf.spiffeId(), leaf.validBefore());
    changed.changed("leaf/" + service);
  }

  @Override
  public Optional<MeshIdentity> identity(String service) {
    Optional<ConnectRoots> trust = roots;
    ConnectLeaf leaf = leaves.get(service);
    if (trust.isEmpty() || leaf == null) {
      return Optional.empty();
    }
    return Optional.of(new MeshIdentity(service, leaf.spiffeId(), leaf.certificatePem(), leaf.privateKeyPem(), trust.get().trustDomain(),
        trust.get().certificatesPem()));
  }

  @Override
  public Optional<MeshIntentions> intentions(String destination) {
    return intentions.map(all -> new MeshIntentions(defaultAllow, rules(all, destination)));
  }

  /**
   * The intentions that can decide for callers of {@code destination}, in Consul's precedence
   * order (an exact destination before {@code *}, then an exact source before {@code *}).
   */
  static List<MeshIntentions.Rule> rules(List<ConnectIntention> all, String destination) {
    List<ConnectIntention> applying = new ArrayList<>(all.stream()
        .filter(i -> i.destination().equals(destination) || ConnectIntention.ANY.equals(i.destination())).toList());
    applying.sort(Comparator.comparingInt((ConnectIntention i) -> ConnectIntention.ANY.equals(i.destination()) ? 1 : 0)
        .thenComparingInt(i -> ConnectIntention.ANY.equals(i.source()) ? 1 : 0)
        .thenComparing(ConnectIntention::source));
    return applying.stream().map(i -> new MeshIntentions.Rule(i.source(), i.action() == ConnectIntention.Action.ALLOW)).toList();
  }

  /** Connect watches that fail (their last answer is served), e.g. {@code connect leaf/web}. */
  public synchronized List<String> failing() {
    if (watcher == null) {
      return List.of();
    }
    return watcher.health().stream().filter(WatcherHealth.WatchStatus::failing).map(w -> "connect " + w.target()).toList();
  }

  /** Identities configured whose leaf or roots Consul has not given yet: their inbound ports stay shut. */
  public synchronized List<String> pending() {
    return leafWatches.keySet().stream().filter(s -> identity(s).isEmpty() || intentions.isEmpty()).sorted().toList();
  }

  /**
   * Services the config names (identities, Connect clusters' destinations) that Consul's catalog
   * does not list: a typo, or a service not registered yet. Calls to or from them work only once
   * intentions (or the default) and registrations match; the write was not refused for it,
   * because a write must not depend on Consul.
   */
  public List<String> unknownServices() {
    return catalog.map(known -> named.stream().filter(s -> !known.contains(s)).sorted().toList()).orElse(List.of());
  }

  @Override
  public synchronized void close() {
    leafWatches.values().forEach(WatchHandle::close);
    leafWatches.clear();
    if (watcher != null) {
      watcher.close();
    }
    changed.close();
  }
}
