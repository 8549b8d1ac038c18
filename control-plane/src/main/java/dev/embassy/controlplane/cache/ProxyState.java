package dev.embassy.controlplane.cache;

import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.Watch;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * One connected proxy (by node id): what it holds, what was last sent to it and not yet
 * answered, what it rejected, and the watches it has open. All access is under the instance's
 * monitor; the cache never holds two proxies' monitors at once.
 */
final class ProxyState {
  /** A response awaiting its ACK: the whole view it brings the proxy to, and the part that was new. */
  record Sent(String version, SortedMap<String, XdsResource> view, Map<String, XdsResource> changed, List<String> removed) {}

  /** A request the cache answers when there is something new for the proxy. */
  sealed interface OpenWatch permits SotwWatch, IncrementalWatch {
    XdsType type();
  }

  /** State of the world: {@code names} requested (ignored for wildcard types), {@code proxyVersion} what the proxy has. */
  record SotwWatch(XdsType type, Watch watch, NameSet names, String proxyVersion) implements OpenWatch {}

  /**
   * Delta: {@code tracked} is what the proxy holds by name and version, {@code subscribed} the
   * names it asked for (for non-wildcard types), {@code stale} names it announced on reconnect that
   * the cache should remove if they no longer exist; {@code fresh} when the request opens the
   * subscription, which must be answered even with nothing in it (Envoy waits for that first
   * answer to finish initialising).
   */
  record IncrementalWatch(XdsType type, DeltaWatch watch, Map<String, String> tracked, NameSet subscribed, boolean wildcard,
      Set<String> stale, boolean fresh) implements OpenWatch {}

  final String id;
  final String group;
  final Instant connectedSince;
  final Held held = new Held();
  final EnumMap<XdsType, Sent> sent = new EnumMap<>(XdsType.class);
  /** State of the world: the response version rejected last, never to be sent again. */
  final EnumMap<XdsType, String> rejectedVersion = new EnumMap<>(XdsType.class);
  /** Delta: the resource versions of the response rejected last. */
  final EnumMap<XdsType, Map<String, String>> rejectedDelta = new EnumMap<>(XdsType.class);
  final EnumMap<XdsType, OpenWatch> watches = new EnumMap<>(XdsType.class);
  /**
   * Delta, named types: names the cache removed that the proxy never unsubscribed from.
   * java-control-plane forgets a name once its removal is ACKed, but the proxy stays subscribed:
   * an Envoy listener draining after its gateway was deleted keeps its RouteConfiguration's
   * subscription, and a re-added gateway's listener shares it without subscribing again. Without
   * this, a resource of that name coming back would never be sent, and the Envoy would route by
   * the copy it held before the removal.
   */
  final EnumMap<XdsType, Set<String>> removedButSubscribed = new EnumMap<>(XdsType.class);
  /** Types this proxy has had a delta answer for: a later empty request is not a new subscription. */
  final java.util.EnumSet<XdsType> answered = java.util.EnumSet.noneOf(XdsType.class);
  /**
   * What each open watch was last evaluated against: the served map of its type and the held
   * generation. A view depends on nothing else, so while both are unchanged it is unchanged too,
   * and re-answering a thousand proxies costs a thousand comparisons, not a thousand views.
   */
  final EnumMap<XdsType, Basis> evaluated = new EnumMap<>(XdsType.class);

  record Basis(OpenWatch watch, Object served, long heldGeneration) {
    /** By identity: the served maps are immutable and shared, so identity is equality and costs nothing. */
    boolean same(Basis other) {
      return other != null && other.watch == watch && other.served == served && other.heldGeneration == heldGeneration;
    }
  }
  int streams;

  ProxyState(String id, String group, Instant connectedSince) {
    this.id = id;
    this.group = group;
    this.connectedSince = connectedSince;
  }
}
