package dev.embassy.controlplane.translate;

import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.NodeGroupConfig;
import dev.embassy.controlplane.ir.UpstreamCluster;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns a node group's {@link NodeGroupConfig} into Envoy resources. Pure: no I/O, clock or
 * randomness, so the same input always yields the same resources, byte for byte, on every
 * replica. A {@link TranslationMemo} may hand back an earlier result for an equal input, which by
 * that purity is the same result.
 */
public final class XdsTranslator {
  private XdsTranslator() {}

  /** What one HTTP listener becomes: the Listener and the RouteConfiguration it fetches over RDS. */
  public record ListenerResources(Listener listener, RouteConfiguration routes) {}

  /** What one upstream cluster becomes: the Cluster and its ClusterLoadAssignment (none while its discovery has not answered). */
  public record ClusterResources(Cluster cluster, Optional<ClusterLoadAssignment> endpoints) {}

  public static XdsResources translate(NodeGroupConfig config) {
    return translate(config, TranslationMemo.NONE);
  }

  public static XdsResources translate(NodeGroupConfig config, TranslationMemo memo) {
    Map<String, Secret> secrets = new TreeMap<>();
    config.listeners().forEach(listener -> DownstreamTlsTranslator.secrets(listener).forEach(s -> secrets.put(s.getName(), s)));
    config.listeners().forEach(listener -> MeshTlsTranslator.secrets(listener).forEach(s -> secrets.put(s.getName(), s)));
    for (UpstreamCluster cluster : config.clusters()) {
      UpstreamTlsTranslator.trustSecret(cluster).ifPresent(s -> secrets.put(s.getName(), s));
      MeshTlsTranslator.secrets(cluster).forEach(s -> secrets.put(s.getName(), s));
    }
    List<Listener> listeners = new ArrayList<>();
    List<RouteConfiguration> routes = new ArrayList<>();
    for (HttpListener listener : config.listeners()) {
      ListenerResources translated = memo.listener(config.nodeGroup(), listener, XdsTranslator::listener);
      listeners.add(translated.listener());
      routes.add(translated.routes());
    }
    for (dev.embassy.controlplane.ir.ClientListener client : config.clientListeners()) {
      ListenerResources translated = ProxylessListenerTranslator.translate(client);
      listeners.add(translated.listener());
      routes.add(translated.routes());
    }
    List<Cluster> clusters = new ArrayList<>();
    List<ClusterLoadAssignment> endpoints = new ArrayList<>();
    java.util.Set<String> awaiting = new java.util.TreeSet<>();
    for (UpstreamCluster cluster : config.clusters()) {
      ClusterResources translated = memo.cluster(config.nodeGroup(), cluster, XdsTranslator::cluster);
      clusters.add(translated.cluster());
      if (translated.endpoints().isPresent()) {
        endpoints.add(translated.endpoints().get());
      } else if (!ClusterTranslator.resolvedByDns(cluster)) {
        awaiting.add(cluster.name());
      }
    }
    return new XdsResources(config.nodeGroup(), listeners, routes, clusters, endpoints, List.copyOf(secrets.values()), awaiting);
  }

  static ListenerResources listener(HttpListener listener) {
    HttpFilters filters = HttpFilters.of(listener);
    return new ListenerResources(ListenerTranslator.listener(listener, filters), RouteConfigurationTranslator.routeConfiguration(listener, filters));
  }

  /** A cluster's ClusterLoadAssignment alone, for endpoint changes; empty while its discovery has not answered. */
  public static Optional<ClusterLoadAssignment> endpoints(UpstreamCluster cluster) {
    // A DNS cluster carries its endpoints inline and has no assignment of its own.
    return ClusterTranslator.resolvedByDns(cluster) ? Optional.empty() : EndpointTranslator.loadAssignment(cluster);
  }

  static ClusterResources cluster(UpstreamCluster cluster) {
    return new ClusterResources(ClusterTranslator.cluster(cluster), endpoints(cluster));
  }
}
