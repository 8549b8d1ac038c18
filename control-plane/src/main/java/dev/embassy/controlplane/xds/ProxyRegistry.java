package dev.embassy.controlplane.xds;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import dev.embassy.controlplane.status.ControlPlaneMetrics;

/**
 * What each connected Envoy has: which version of each type it was sent and ACKed, and the NACKs
 * it returned. java-control-plane reports a NACK only as "not acked"; this reads error_detail and
 * the nonce of every request to tell ACK from NACK and which version was rejected.
 */
public final class ProxyRegistry implements DiscoveryServerCallbacks {
  /** One NACK: the proxy rejected {@code version} of {@code typeUrl} for {@code detail}. */
  public record Nack(String proxyId, String nodeGroup, String typeUrl, String version, String detail, Instant at) {}

  /** A connected proxy as the admin API shows it. */
  public record ProxyStatus(
      String proxyId, String nodeGroup, Instant connectedSince, Map<String, String> acked, long appliedRevision, Optional<Nack> lastNack) {}

  private static final class Stream {
    final String proxyId;
    final String nodeGroup;
    final Instant connectedSince;
    final Map<String, Sent> nonceVersions = new ConcurrentHashMap<>();
    final Map<String, String> sent = new ConcurrentHashMap<>();
    final Map<String, ServedRevisions.Applied> applied = new ConcurrentHashMap<>();
    /** Bumped on every ACK; with the served-revisions generation it keys the memo below. */
    final AtomicLong appliedChanges = new AtomicLong();
    /** The applied revision last computed, and for which (ACK count, served-revisions generation). */
    volatile long[] appliedMemo = {-1, -1, -1};
    volatile Nack lastNack;

    Stream(String proxyId, String nodeGroup, Instant connectedSince) {
      this.proxyId = proxyId;
      this.nodeGroup = nodeGroup;
      this.connectedSince = connectedSince;
    }
  }

  /**
   * A response awaiting its ACK or NACK: its version, when it was sent, and what the proxy holds
   * once it applies it. State of the world: exactly the subscribed names (all, for a wildcard
   * subscription). Delta: what it held before, plus the response's resources, minus its removals.
   */
  private record Sent(String version, long sentNanos, java.util.function.UnaryOperator<ServedRevisions.Applied> apply) {}

  private static final java.util.Set<String> WHOLE_STATE_TYPES = java.util.Set.of(
      io.envoyproxy.controlplane.cache.Resources.V3.LISTENER_TYPE_URL, io.envoyproxy.controlplane.cache.Resources.V3.CLUSTER_TYPE_URL);

  private final Map<Long, Stream> streams = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Consumer<Nack> onNack;
  private final AtomicLong changes = new AtomicLong();
  private final AtomicLong responses = new AtomicLong();

  private final ControlPlaneMetrics metrics;
  private final ServedRevisions served;

  public ProxyRegistry(Clock clock, ControlPlaneMetrics metrics, ServedRevisions served, Consumer<Nack> onNack) {
    this.clock = clock;
    this.served = served;
    this.metrics = metrics;
    this.onNack = onNack;
    metrics.gauge("embassy.controlplane.proxies.connected", "ADS streams open", () -> streams.size());
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    onRequest(streamId, request.getNode(), request.getTypeUrl(), request.getResponseNonce(),
        request.hasErrorDetail() ? Optional.of(request.getErrorDetail().getMessage()) : Optional.empty());
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    onRequest(streamId, request.getNode(), request.getTypeUrl(), request.getResponseNonce(),
        request.hasErrorDetail() ? Optional.of(request.getErrorDetail().getMessage()) : Optional.empty());
  }

  @Override
  public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    String version = response.getVersionInfo();
    // The request's own (immutable) name list: a proxy holds, once it ACKs, what it asked for.
    java.util.List<String> names = request.getResourceNamesList();
    // Listeners and clusters go out whole whatever names were asked for (a gRPC client asks for
    // them by name, and adds a name to its cluster subscription without a new version to ACK):
    // ACKing such a response means holding all of that version, as a wildcard subscriber does.
    boolean whole = names.isEmpty() || WHOLE_STATE_TYPES.contains(response.getTypeUrl());
    onResponse(streamId, response.getTypeUrl(), response.getNonce(), version,
        before -> ServedRevisions.Applied.of(version, names, whole));
  }

  @Override
  public void onV3StreamDeltaResponse(long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
    String version = response.getSystemVersionInfo();
    java.util.List<String> added = response.getResourcesList().stream().map(io.envoyproxy.envoy.service.discovery.v3.Resource::getName).toList();
    java.util.List<String> removed = response.getRemovedResourcesList();
    onResponse(streamId, response.getTypeUrl(), response.getNonce(), version, before -> {
      if (before != null && removed.isEmpty() && before.names() instanceof java.util.Set<String> held && held.containsAll(added)) {
        // Updates to resources it already holds (the common case): the name set is unchanged.
        return new ServedRevisions.Applied(version, before.names(), false, before.fingerprint());
      }
      java.util.Set<String> names = new java.util.HashSet<>(before == null ? java.util.Set.of() : before.names());
      names.addAll(added);
      names.removeAll(removed);
      return ServedRevisions.Applied.of(version, java.util.Set.copyOf(names), false);
    });
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    if (streams.remove(streamId) != null) {
      changes.incrementAndGet();
    }
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    onStreamClose(streamId, typeUrl);
  }

  private void onRequest(long streamId, Node node, String typeUrl, String nonce, Optional<String> error) {
    Stream stream = streams.computeIfAbsent(streamId, id -> {
      changes.incrementAndGet();
      return new Stream(node.getId(), node.getCluster(), clock.instant());
    });
    if (nonce.isEmpty()) {
      return;
    }
    Sent sent = stream.nonceVersions.remove(nonce);
    if (sent == null) {
      return;
    }
    if (error.isPresent()) {
      Nack nack = new Nack(stream.proxyId, stream.nodeGroup, typeUrl, sent.version(), error.get(), clock.instant());
      stream.lastNack = nack;
      metrics.nacked(typeUrl);
      onNack.accept(nack);
    } else {
      stream.applied.compute(typeUrl, (type, before) -> sent.apply().apply(before));
      stream.appliedChanges.incrementAndGet();
      metrics.acked(typeUrl, java.time.Duration.ofNanos(System.nanoTime() - sent.sentNanos()));
    }
    changes.incrementAndGet();
  }

  private void onResponse(long streamId, String typeUrl, String nonce, String version,
      java.util.function.UnaryOperator<ServedRevisions.Applied> apply) {
    responses.incrementAndGet();
    metrics.pushed(typeUrl);
    Stream stream = streams.get(streamId);
    if (stream != null) {
      stream.nonceVersions.put(nonce, new Sent(version, System.nanoTime(), apply));
      stream.sent.put(typeUrl, version);
    }
  }

  public List<ProxyStatus> proxies() {
    return streams.values().stream()
        .map(s -> new ProxyStatus(s.proxyId, s.nodeGroup, s.connectedSince, ackedVersions(s),
            appliedRevision(s), Optional.ofNullable(s.lastNack)))
        .sorted(java.util.Comparator.comparing(ProxyStatus::proxyId))
        .toList();
  }

  /** The revision a stream runs; recomputed only after an ACK or a new revision, as status asks often. */
  private long appliedRevision(Stream stream) {
    long changes = stream.appliedChanges.get();
    long latest = served.generation();
    long[] memo = stream.appliedMemo;
    if (memo[0] == changes && memo[1] == latest) {
      return memo[2];
    }
    long revision = served.appliedRevision(stream.nodeGroup, stream.applied);
    stream.appliedMemo = new long[] {changes, latest, revision};
    return revision;
  }

  /** Type URL → version the proxy last ACKed: the version part of what it has applied. */
  private static Map<String, String> ackedVersions(Stream stream) {
    Map<String, String> acked = new TreeMap<>();
    stream.applied.forEach((type, applied) -> acked.put(type, applied.version()));
    return acked;
  }

  /** Increases on every connect, disconnect, ACK and NACK: a cheap "has anything changed". */
  public long changeCount() {
    return changes.get();
  }

  /** Responses sent on every stream so far. */
  public long responseCount() {
    return responses.get();
  }
}
