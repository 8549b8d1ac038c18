package dev.embassy.controlplane.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.List;

/**
 * The Envoy resources for one node group, as produced by {@link XdsTranslator}.
 * {@code awaitingEndpoints} names the EDS clusters whose discovery has not answered yet: they have
 * no ClusterLoadAssignment here, and the cache must not invent an empty one for them.
 */
public record XdsResources(
    String nodeGroup,
    List<Listener> listeners,
    List<RouteConfiguration> routes,
    List<Cluster> clusters,
    List<ClusterLoadAssignment> endpoints,
    List<Secret> secrets,
    java.util.Set<String> awaitingEndpoints) {
  public XdsResources {
    listeners = List.copyOf(listeners);
    routes = List.copyOf(routes);
    clusters = List.copyOf(clusters);
    endpoints = List.copyOf(endpoints);
    secrets = List.copyOf(secrets);
    awaitingEndpoints = java.util.Set.copyOf(awaitingEndpoints);
  }

  public XdsResources(String nodeGroup, List<Listener> listeners, List<RouteConfiguration> routes, List<Cluster> clusters,
      List<ClusterLoadAssignment> endpoints, List<Secret> secrets) {
    this(nodeGroup, listeners, routes, clusters, endpoints, secrets, java.util.Set.of());
  }
}
