package dev.embassy.controlplane.cache;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.WatchCancelledException;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embassy's xDS cache, behind java-control-plane's {@link ConfigWatcher}, because SimpleCache
 * cannot do what serving Envoys safely takes (see reference: JCP #124/#127/#131, #463, #505, #89):
 *
 * <ul>
 *   <li>every resource has its own content-derived version, so an endpoint change sends EDS alone,
 *       a route change only the changed RouteConfiguration, and delta streams only the changed
 *       resources and removals;
 *   <li>make-before-break per proxy, gated on ACKs ({@link ProxyView});
 *   <li>a requested name the snapshot lacks gets an empty assignment; no response is withheld;
 *   <li>a NACKed version is never resent, and the node group goes back to the last good version
 *       ({@link GroupState});
 *   <li>a delta stream that reconnects with resources that no longer exist is told to remove them
 *       (JCP #463: stale clusters survived a control-plane restart).
 * </ul>
 *
 * <p>Proxies are known by node group and node id: the group their {@code node.cluster} names. Two
 * streams under one node id but different groups are two proxies, so a stream is only ever served
 * the group its own node names (the group the ADS server authorised it for, issue 15), never the
 * group another stream under that id opened first.
 * Responses are handed to the stream's executor, so publishing never waits on a network write.
 */
public final class XdsCache implements ConfigWatcher {
  private static final Logger LOG = LoggerFactory.getLogger(XdsCache.class);
  /** Order in which a proxy's open watches are answered: clusters and endpoints before what uses them. */
  private static final XdsType[] PUSH_ORDER = {XdsType.CLUSTER, XdsType.ENDPOINT, XdsType.LISTENER, XdsType.ROUTE, XdsType.SECRET};

  private final Map<String, GroupState> groups = new ConcurrentHashMap<>();
  /**
   * Whether the config has been published in full once. Until then no watch is answered: a node
   * group without a snapshot may only not have been built yet, and answering its proxies with
   * nothing would make an Envoy that reconnects to a restarted replica drop every listener and
   * cluster it has (and one that starts go LIVE with none).
   */
  private volatile boolean loaded;
  private final Map<ProxyKey, ProxyState> proxies = new ConcurrentHashMap<>();
  private final Map<Long, ProxyKey> streamProxies = new ConcurrentHashMap<>();

  private record ProxyKey(String group, String id) {
    static ProxyKey of(Node node) {
      return new ProxyKey(node.getCluster(), node.getId());
    }
  }
  private final Clock clock;
  private volatile DeliveryEvents events = DeliveryEvents.NONE;

  public XdsCache(Clock clock) {
    this.clock = clock;
  }

  /** Who hears of ACKs and NACKs besides the cache (set once, at wiring). */
  public void events(DeliveryEvents events) {
    this.events = events;
  }

  // ---- publishing -------------------------------------------------------------------------

  /**
   * Says that every node group with config has been published: from now on a group without a
   * snapshot has no config, and its proxies are told so. Watches held until now are answered.
   */
  public void loaded() {
    if (loaded) {
      return;
    }
    loaded = true;
    groups.values().forEach(this::reevaluate);
  }

  /** Makes {@code snapshot} its node group's target and answers every open watch it changes. */
  public void publish(GroupSnapshot snapshot) {
    GroupState group = group(snapshot.group());
    if (group.target(snapshot)) {
      reevaluate(group);
    }
  }

  /** The snapshot last published for {@code group}, if any. */
  public Optional<GroupSnapshot> target(String group) {
    return Optional.ofNullable(groups.get(group)).map(GroupState::target);
  }

  /** What {@code group} is served: the target, except where a NACK withdrew a version. */
  public Optional<GroupSnapshot> served(String group) {
    return Optional.ofNullable(groups.get(group)).map(GroupState::served);
  }

  /** Versions withdrawn from {@code group} after NACKs: type → name → versions. */
  public Map<XdsType, Map<String, Set<String>>> rejections(String group) {
    GroupState state = groups.get(group);
    return state == null ? Map.of() : state.rejections();
  }

  /** Resource versions withdrawn after NACKs, over all node groups: non-zero means some config is not being served. */
  public long withdrawnVersions() {
    long count = 0;
    for (GroupState group : groups.values()) {
      for (Map<String, Set<String>> byName : group.rejections().values()) {
        for (Set<String> versions : byName.values()) {
          count += versions.size();
        }
      }
    }
    return count;
  }

  /** Node groups with a published snapshot. */
  public Set<String> groups() {
    return Set.copyOf(groups.keySet());
  }

  /** Whether some proxy of {@code group} holds (has ACKed) {@code version} of resource {@code name}. */
  public boolean heldInGroup(String group, XdsType type, String name, String version) {
    GroupState state = groups.get(group);
    if (state == null) {
      return false;
    }
    for (ProxyState proxy : state.proxies().values()) {
      synchronized (proxy) {
        XdsResource held = proxy.held.of(type).get(name);
        if (held != null && held.version().equals(version)) {
          return true;
        }
      }
    }
    return false;
  }

  /** What {@code proxyId} holds (has ACKed), by type and name (in the first node group it is found in); empty if it is not connected. */
  public Optional<Map<XdsType, SortedMap<String, XdsResource>>> held(String proxyId) {
    for (Map.Entry<ProxyKey, ProxyState> entry : proxies.entrySet()) {
      if (entry.getKey().id().equals(proxyId)) {
        ProxyState proxy = entry.getValue();
        synchronized (proxy) {
          return Optional.of(Map.copyOf(proxy.held.asMap()));
        }
      }
    }
    return Optional.empty();
  }

  // ---- ConfigWatcher ----------------------------------------------------------------------

  @Override
  public Watch createWatch(boolean ads, XdsRequest request, Set<String> knownResourceNames, Consumer<Response> responseConsumer,
      boolean hasClusterChanged, boolean allowDefaultEmptyEdsUpdate) {
    Watch watch = new Watch(ads, allowDefaultEmptyEdsUpdate, request, responseConsumer);
    Optional<XdsType> type = supported(request.getTypeUrl(), request.v3Request().getNode());
    if (type.isEmpty()) {
      return watch;
    }
    ProxyState proxy = proxy(request.v3Request().getNode());
    GroupState group = group(proxy.group);
    List<XdsResource> rejected = List.of();
    SortedMap<String, XdsResource> heldBefore = null;
    SortedMap<String, XdsResource> ackedView = null;
    synchronized (proxy) {
      ProxyState.Sent sent = proxy.sent.remove(type.get());
      boolean acked = false;
      if (sent != null && request.hasErrorDetail()) {
        proxy.rejectedVersion.put(type.get(), sent.version());
        heldBefore = proxy.held.of(type.get());
        rejected = NackBlame.blamed(type.get(), newIn(sent.view(), heldBefore), request.v3Request().getErrorDetail().getMessage());
        LOG.atWarn().addKeyValue("proxy", proxy.id).addKeyValue("node_group", proxy.group).addKeyValue("type", type.get())
            .addKeyValue("version", sent.version()).addKeyValue("detail", request.v3Request().getErrorDetail().getMessage())
            .log("proxy rejected a version; it is withdrawn from the node group");
      } else if (sent != null && request.getVersionInfo().equals(sent.version())) {
        proxy.held.set(type.get(), sent.view());
        ackedView = sent.view();
        acked = true;
      } else if (sent != null) {
        // Not an answer to the response in flight (a new subscription overtook it): keep waiting for it.
        proxy.sent.put(type.get(), sent);
      }
      if (sent == null && request.getVersionInfo().isEmpty() && request.getResponseNonce().isEmpty()) {
        // A fresh subscription (a new or restarted Envoy): it holds nothing of this type,
        // whatever an earlier stream under the same node id held.
        proxy.held.set(type.get(), java.util.Collections.emptySortedMap());
      }
      NameSet names = type.get().wildcard() ? NameSet.EMPTY : new NameSet(Set.copyOf(request.getResourceNamesList()));
      ProxyState.SotwWatch open = new ProxyState.SotwWatch(type.get(), watch, names, request.getVersionInfo());
      proxy.watches.put(type.get(), open);
      watch.setStop(() -> forget(proxy, open));
      if (acked) {
        answerAll(proxy, group);
      } else {
        answer(proxy, group, open);
      }
    }
    rejectInGroup(group, type.get(), rejected);
    tell(proxy, type.get(), rejected, heldBefore, ackedView, request.hasErrorDetail() ? request.v3Request().getErrorDetail().getMessage() : "");
    return watch;
  }

  @Override
  public DeltaWatch createDeltaWatch(DeltaXdsRequest request, String requesterVersion, Map<String, String> resourceVersions,
      Set<String> pendingResources, boolean isWildcard, Consumer<DeltaResponse> responseConsumer, boolean hasClusterChanged) {
    // The watch's own copies of the tracked and pending names are for java-control-plane's caches;
    // this cache keeps what it needs itself, without copying 2,000 names per ACK.
    DeltaWatch watch = new DeltaWatch(request, Map.of(), Set.of(), requesterVersion, isWildcard, responseConsumer);
    Optional<XdsType> type = supported(request.getTypeUrl(), request.v3Request().getNode());
    if (type.isEmpty()) {
      return watch;
    }
    ProxyState proxy = proxy(request.v3Request().getNode());
    GroupState group = group(proxy.group);
    List<XdsResource> rejected = List.of();
    SortedMap<String, XdsResource> heldBefore = null;
    SortedMap<String, XdsResource> ackedView = null;
    synchronized (proxy) {
      ProxyState.Sent sent = proxy.sent.get(type.get());
      boolean acked = false;
      if (sent != null && !request.getResponseNonce().isEmpty()) {
        proxy.sent.remove(type.get());
        if (request.hasErrorDetail()) {
          heldBefore = proxy.held.of(type.get());
          Map<String, String> versions = new LinkedHashMap<>();
          sent.changed().forEach((name, resource) -> versions.put(name, resource.version()));
          proxy.rejectedDelta.put(type.get(), versions);
          rejected = NackBlame.blamed(type.get(), List.copyOf(sent.changed().values()), request.v3Request().getErrorDetail().getMessage());
          LOG.atWarn().addKeyValue("proxy", proxy.id).addKeyValue("node_group", proxy.group).addKeyValue("type", type.get())
              .addKeyValue("resources", versions.keySet()).addKeyValue("detail", request.v3Request().getErrorDetail().getMessage())
              .log("proxy rejected resources; they are withdrawn from the node group");
        } else {
          proxy.held.set(type.get(), sent.view());
          ackedView = sent.view();
          acked = true;
          if (!type.get().wildcard()) {
            Set<String> orphans = proxy.removedButSubscribed.computeIfAbsent(type.get(), t -> new HashSet<>());
            orphans.removeAll(sent.changed().keySet());
            orphans.addAll(sent.removed());
          }
        }
      }
      Set<String> orphans = proxy.removedButSubscribed.getOrDefault(type.get(), Set.of());
      if (!orphans.isEmpty()) {
        // An explicit subscribe is java-control-plane's to track again; an unsubscribe ends it.
        request.getResourceNamesSubscribeList().forEach(orphans::remove);
        request.getResourceNamesUnsubscribeList().forEach(orphans::remove);
      }
      boolean fresh = sent == null && request.getResponseNonce().isEmpty() && resourceVersions.isEmpty() && !proxy.answered.contains(type.get());
      if (fresh) {
        // A fresh subscription: the proxy holds nothing of this type (see the state of the world case).
        proxy.held.set(type.get(), java.util.Collections.emptySortedMap());
      }
      SortedMap<String, XdsResource> held = proxy.held.of(type.get());
      Map<String, String> tracked;
      NameSet subscribed;
      if (acked && pendingResources.isEmpty() && orphans.isEmpty() && resourceVersions.size() == held.size()) {
        // It holds exactly what it ACKed: read versions from that view instead of copying them.
        tracked = new HeldVersions(held);
        subscribed = isWildcard ? NameSet.EMPTY : NameSet.of(held);
      } else {
        tracked = Map.copyOf(resourceVersions);
        Set<String> names = new HashSet<>(resourceVersions.keySet());
        names.addAll(pendingResources);
        names.addAll(orphans);
        subscribed = isWildcard ? NameSet.EMPTY : new NameSet(Set.copyOf(names));
      }
      Set<String> stale = Set.copyOf(request.getInitialResourceVersionsMap().keySet());
      ProxyState.IncrementalWatch open = new ProxyState.IncrementalWatch(type.get(), watch, tracked, subscribed, isWildcard, stale, fresh);
      proxy.watches.put(type.get(), open);
      watch.setStop(() -> forget(proxy, open));
      if (acked) {
        answerAll(proxy, group);
      } else {
        answer(proxy, group, open);
      }
    }
    rejectInGroup(group, type.get(), rejected);
    tell(proxy, type.get(), rejected, heldBefore, ackedView, request.hasErrorDetail() ? request.v3Request().getErrorDetail().getMessage() : "");
    return watch;
  }

  /** Passes an ACK or a NACK on to {@link #events}; outside the proxy's monitor. */
  private void tell(ProxyState proxy, XdsType type, List<XdsResource> rejected, SortedMap<String, XdsResource> heldBefore,
      SortedMap<String, XdsResource> ackedView, String detail) {
    if (!rejected.isEmpty()) {
      events.rejected(proxy.group, proxy.id, type, rejected, heldBefore, detail);
    } else if (ackedView != null) {
      events.accepted(proxy.group, type, ackedView);
    }
  }

  /** The type a request asks for; empty (and logged) for one Embassy does not serve, which then gets no answer. */
  private static Optional<XdsType> supported(String typeUrl, Node node) {
    Optional<XdsType> type = XdsType.byTypeUrl(typeUrl);
    if (type.isEmpty()) {
      LOG.atWarn().addKeyValue("proxy", node.getId()).addKeyValue("type_url", typeUrl).log("proxy asked for a type Embassy does not serve; no answer");
    }
    return type;
  }

  // ---- stream tracking ----------------------------------------------------------------------

  /**
   * Callbacks that tell the cache when a proxy's last stream closes, so its state is dropped.
   * Register them with the discovery server next to any others.
   */
  public DiscoveryServerCallbacks streamTracker() {
    return new DiscoveryServerCallbacks() {
      @Override
      public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
        opened(streamId, request.getNode());
      }

      @Override
      public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
        opened(streamId, request.getNode());
      }

      @Override
      public void onStreamClose(long streamId, String typeUrl) {
        closed(streamId);
      }

      @Override
      public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
        closed(streamId);
      }
    };
  }

  private void opened(long streamId, Node node) {
    if (streamProxies.putIfAbsent(streamId, ProxyKey.of(node)) == null) {
      ProxyState proxy = proxy(node);
      synchronized (proxy) {
        proxy.streams++;
      }
    }
  }

  private void closed(long streamId) {
    ProxyKey key = streamProxies.remove(streamId);
    ProxyState proxy = key == null ? null : proxies.get(key);
    if (proxy == null) {
      return;
    }
    synchronized (proxy) {
      if (--proxy.streams > 0) {
        return;
      }
    }
    proxies.remove(key, proxy);
    GroupState group = groups.get(proxy.group);
    if (group != null) {
      group.proxies().remove(proxy.id, proxy);
    }
  }

  // ---- answering ----------------------------------------------------------------------------

  private void reevaluate(GroupState group) {
    for (ProxyState proxy : group.proxies().values()) {
      synchronized (proxy) {
        answerAll(proxy, group);
      }
    }
  }

  /** Caller holds the proxy's monitor. */
  private void answerAll(ProxyState proxy, GroupState group) {
    for (XdsType type : PUSH_ORDER) {
      ProxyState.OpenWatch open = proxy.watches.get(type);
      if (open != null) {
        answer(proxy, group, open);
      }
    }
  }

  /** Answers {@code open} if the proxy's view of its type differs from what it has; caller holds the proxy's monitor. */
  private void answer(ProxyState proxy, GroupState group, ProxyState.OpenWatch open) {
    if (!loaded) {
      return;
    }
    GroupSnapshot served = group.served();
    ProxyState.Basis basis = new ProxyState.Basis(open, served.resources(open.type()), proxy.held.generation());
    ProxyState.Basis last = proxy.evaluated.put(open.type(), basis);
    if (basis.same(last)) {
      return;
    }
    switch (open) {
      case ProxyState.SotwWatch sotw -> answer(proxy, served, sotw);
      case ProxyState.IncrementalWatch delta -> answer(proxy, served, delta);
    }
  }

  private void answer(ProxyState proxy, GroupSnapshot served, ProxyState.SotwWatch open) {
    XdsType type = open.type();
    SortedMap<String, XdsResource> view = view(type, served, proxy.held, open.names());
    if (!type.wildcard() && view.isEmpty() && !open.names().names().isEmpty()) {
      // Nothing to say yet about the names asked for (a route configuration still waiting for
      // its clusters to warm): an empty answer would only make Envoy ACK nothing.
      return;
    }
    String version = view == served.resources(type) ? served.version(type) : TypeVersion.of(view.values());
    if (version.equals(open.proxyVersion()) || version.equals(proxy.rejectedVersion.get(type)) || proxy.sent.containsKey(type)) {
      return;
    }
    // Listeners and clusters are state of the world: every response carries all of them. For the
    // other types the protocol lets a response carry only what changed, and Envoy keeps what a
    // response leaves out; so one endpoint change sends one ClusterLoadAssignment, not all 2,000.
    Collection<XdsResource> send = type.wildcard() ? view.values() : changedSince(view, proxy.held.of(type));
    List<Message> messages = new ArrayList<>(send.size());
    send.forEach(r -> messages.add(r.message()));
    if (respond(open.watch(), Response.create(open.watch().request(), messages, version))) {
      proxy.watches.remove(type, open);
      proxy.sent.put(type, new ProxyState.Sent(version, view, view, List.of()));
    }
  }

  private static Collection<XdsResource> changedSince(SortedMap<String, XdsResource> view, SortedMap<String, XdsResource> held) {
    if (held.isEmpty()) {
      return view.values();
    }
    List<XdsResource> changed = new ArrayList<>();
    for (XdsResource resource : view.values()) {
      XdsResource before = held.get(resource.name());
      if (before == null || !before.version().equals(resource.version())) {
        changed.add(resource);
      }
    }
    return changed;
  }

  private void answer(ProxyState proxy, GroupSnapshot served, ProxyState.IncrementalWatch open) {
    XdsType type = open.type();
    SortedMap<String, XdsResource> view = view(type, served, proxy.held, open.subscribed());
    if (view == proxy.held.of(type) && open.stale().isEmpty() && open.tracked().size() == view.size() && !open.fresh()) {
      // The proxy holds exactly this view (the same map it ACKed): nothing to send, in O(1).
      return;
    }
    Map<String, XdsResource> changed = new LinkedHashMap<>();
    for (XdsResource resource : view.values()) {
      if (!resource.version().equals(open.tracked().get(resource.name()))) {
        changed.put(resource.name(), resource);
      }
    }
    List<String> removed = new ArrayList<>();
    for (String name : open.tracked().keySet()) {
      if (!view.containsKey(name)) {
        removed.add(name);
      }
    }
    for (String name : open.stale()) {
      if (!view.containsKey(name) && !open.tracked().containsKey(name)) {
        removed.add(name);
      }
    }
    if (changed.isEmpty() && removed.isEmpty() && !open.fresh() || proxy.sent.containsKey(type)) {
      return;
    }
    Map<String, String> rejected = proxy.rejectedDelta.get(type);
    if (rejected != null && removed.isEmpty() && sameVersions(changed, rejected)) {
      return;
    }
    String version = view == served.resources(type) ? served.version(type) : TypeVersion.of(view.values());
    Map<String, VersionedResource<?>> resources = new LinkedHashMap<>();
    changed.forEach((name, resource) -> resources.put(name, resource.versioned()));
    if (respond(open.watch(), DeltaResponse.create(open.watch().request(), resources, List.copyOf(removed), version))) {
      proxy.answered.add(type);
      proxy.watches.remove(type, open);
      proxy.sent.put(type, new ProxyState.Sent(version, view, changed, List.copyOf(removed)));
    }
  }

  private static SortedMap<String, XdsResource> view(XdsType type, GroupSnapshot served, Held held, NameSet names) {
    return type.wildcard() ? ProxyView.wildcard(type, served, held) : ProxyView.named(type, served, held, names);
  }

  private static <T> boolean respond(io.envoyproxy.controlplane.cache.AbstractWatch<?, T> watch, T response) {
    try {
      watch.respond(response);
      return true;
    } catch (WatchCancelledException e) {
      return false;
    }
  }

  private static boolean sameVersions(Map<String, XdsResource> changed, Map<String, String> versions) {
    if (changed.size() != versions.size()) {
      return false;
    }
    for (XdsResource resource : changed.values()) {
      if (!resource.version().equals(versions.get(resource.name()))) {
        return false;
      }
    }
    return true;
  }

  /** The resources of {@code sent} the proxy did not hold before: what a NACK of it can blame. */
  private static List<XdsResource> newIn(SortedMap<String, XdsResource> sent, SortedMap<String, XdsResource> held) {
    List<XdsResource> fresh = new ArrayList<>();
    for (XdsResource resource : sent.values()) {
      XdsResource before = held.get(resource.name());
      if (before == null || !before.version().equals(resource.version())) {
        fresh.add(resource);
      }
    }
    return fresh;
  }

  private void rejectInGroup(GroupState group, XdsType type, List<XdsResource> rejected) {
    // Outside any proxy's monitor: re-answering the group takes each proxy's in turn.
    if (!rejected.isEmpty() && group.reject(type, rejected)) {
      reevaluate(group);
    }
  }

  private void forget(ProxyState proxy, ProxyState.OpenWatch open) {
    synchronized (proxy) {
      proxy.watches.remove(open.type(), open);
    }
  }

  private ProxyState proxy(Node node) {
    ProxyState proxy = proxies.computeIfAbsent(ProxyKey.of(node), key -> new ProxyState(key.id(), key.group(), clock.instant()));
    group(proxy.group).proxies().putIfAbsent(proxy.id, proxy);
    return proxy;
  }

  private GroupState group(String name) {
    return groups.computeIfAbsent(name, GroupState::new);
  }
}
