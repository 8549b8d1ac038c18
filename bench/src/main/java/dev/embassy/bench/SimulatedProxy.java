package dev.embassy.bench;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An ADS client that behaves like Envoy does at start-up and on updates: subscribes to clusters
 * and listeners, then to the endpoints and routes they name, and ACKs every response at once.
 * Responses are kept as packed Any, so the client costs a copy, not a parse, per resource.
 * Channels are opened with Envoy's HTTP/2 flow-control windows (see the benchmark), not gRPC's
 * smaller defaults, so a large RouteConfiguration is not throttled by window updates Envoy would
 * not need.
 */
final class SimulatedProxy {
  private final Node node;
  private final boolean delta;
  private final String routeConfiguration;
  private final AtomicReference<String> routesVersion = new AtomicReference<>("");
  private final AtomicReference<String> endpointsVersion = new AtomicReference<>("");
  private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> responses = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile boolean edsSubscribed;
  private volatile boolean rdsSubscribed;
  private StreamObserver<DiscoveryRequest> sotw;
  private StreamObserver<DeltaDiscoveryRequest> incremental;
  private final List<String> clusterNames = new ArrayList<>();

  SimulatedProxy(String id, String group, String routeConfiguration, boolean delta) {
    this.node = Node.newBuilder().setId(id).setCluster(group).build();
    this.delta = delta;
    this.routeConfiguration = routeConfiguration;
  }

  String group() {
    return node.getCluster();
  }

  String routesVersion() {
    return routesVersion.get();
  }

  String endpointsVersion() {
    return endpointsVersion.get();
  }

  /** Responses received so far, by type URL. */
  long responses(String typeUrl) {
    java.util.concurrent.atomic.AtomicLong count = responses.get(typeUrl);
    return count == null ? 0 : count.get();
  }

  void connect(ManagedChannel channel) {
    var stub = AggregatedDiscoveryServiceGrpc.newStub(channel);
    if (delta) {
      incremental = stub.deltaAggregatedResources(new Observer<>(this::onDelta));
      subscribeDelta(Resources.V3.CLUSTER_TYPE_URL, List.of());
      subscribeDelta(Resources.V3.LISTENER_TYPE_URL, List.of());
    } else {
      sotw = stub.streamAggregatedResources(new Observer<>(this::onSotw));
      request(Resources.V3.CLUSTER_TYPE_URL, "", "", List.of());
      request(Resources.V3.LISTENER_TYPE_URL, "", "", List.of());
    }
  }

  private synchronized void onSotw(DiscoveryResponse response) {
    String type = response.getTypeUrl();
    responses.computeIfAbsent(type, t -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
    List<String> names = switch (type) {
      case Resources.V3.ENDPOINT_TYPE_URL -> clusterNames;
      case Resources.V3.ROUTE_TYPE_URL -> List.of(routeConfiguration);
      default -> List.of();
    };
    request(type, response.getVersionInfo(), response.getNonce(), names);
    if (type.equals(Resources.V3.CLUSTER_TYPE_URL) && !edsSubscribed) {
      edsSubscribed = true;
      clusterNames.addAll(clusterNames(response.getResourcesList()));
      request(Resources.V3.ENDPOINT_TYPE_URL, "", "", clusterNames);
    } else if (type.equals(Resources.V3.LISTENER_TYPE_URL) && !rdsSubscribed) {
      rdsSubscribed = true;
      request(Resources.V3.ROUTE_TYPE_URL, "", "", List.of(routeConfiguration));
    } else if (type.equals(Resources.V3.ROUTE_TYPE_URL)) {
      routesVersion.set(response.getVersionInfo());
    } else if (type.equals(Resources.V3.ENDPOINT_TYPE_URL)) {
      endpointsVersion.set(response.getVersionInfo());
    }
  }

  private synchronized void onDelta(DeltaDiscoveryResponse response) {
    String type = response.getTypeUrl();
    responses.computeIfAbsent(type, t -> new java.util.concurrent.atomic.AtomicLong()).incrementAndGet();
    incremental.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type).setResponseNonce(response.getNonce()).build());
    if (type.equals(Resources.V3.CLUSTER_TYPE_URL) && !edsSubscribed) {
      edsSubscribed = true;
      List<com.google.protobuf.Any> packed = response.getResourcesList().stream().map(io.envoyproxy.envoy.service.discovery.v3.Resource::getResource).toList();
      subscribeDelta(Resources.V3.ENDPOINT_TYPE_URL, clusterNames(packed));
    } else if (type.equals(Resources.V3.LISTENER_TYPE_URL) && !rdsSubscribed) {
      rdsSubscribed = true;
      subscribeDelta(Resources.V3.ROUTE_TYPE_URL, List.of(routeConfiguration));
    } else if (type.equals(Resources.V3.ROUTE_TYPE_URL)) {
      routesVersion.set(response.getSystemVersionInfo());
    } else if (type.equals(Resources.V3.ENDPOINT_TYPE_URL)) {
      endpointsVersion.set(response.getSystemVersionInfo());
    }
  }

  private void request(String type, String version, String nonce, List<String> names) {
    sotw.onNext(DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type).setVersionInfo(version)
        .setResponseNonce(nonce).addAllResourceNames(names).build());
  }

  private void subscribeDelta(String type, List<String> names) {
    incremental.onNext(DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type).addAllResourceNamesSubscribe(names).build());
  }

  private static List<String> clusterNames(List<com.google.protobuf.Any> packed) {
    List<String> names = new ArrayList<>();
    for (com.google.protobuf.Any any : packed) {
      try {
        names.add(any.unpack(Cluster.class).getName());
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new IllegalStateException(e);
      }
    }
    return names;
  }

  void close() {
    if (sotw != null) {
      sotw.onCompleted();
    }
    if (incremental != null) {
      incremental.onCompleted();
    }
  }

  private record Observer<T>(java.util.function.Consumer<T> handler) implements StreamObserver<T> {
    @Override
    public void onNext(T value) {
      handler.accept(value);
    }

    @Override
    public void onError(Throwable t) {
      // Streams end when the benchmark shuts the server down.
    }

    @Override
    public void onCompleted() {
      // Nothing to release.
    }
  }
}
