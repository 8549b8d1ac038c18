package dev.embassy.controlplane.translate;

import dev.embassy.controlplane.ir.NodeGroupConfig;
import dev.embassy.controlplane.ir.UpstreamCluster;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a node group's {@link NodeGroupConfig} into Envoy resources. Pure: no I/O, clock or
 * randomness, so the same input always yields the same resources, byte for byte, on every
 * replica.
 */
public final class XdsTranslator {
  private XdsTranslator() {}

  public static XdsResources translate(NodeGroupConfig config) {
    Map<String, io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> secrets = new TreeMap<>();
    config.listeners().forEach(listener -> DownstreamTlsTranslator.secrets(listener).forEach(s -> secrets.put(s.getName(), s)));
    for (UpstreamCluster cluster : config.clusters()) {
      UpstreamTlsTranslator.trustSecret(cluster).ifPresent(s -> secrets.put(s.getName(), s));
    }
    List<io.envoyproxy.envoy.config.listener.v3.Listener> listeners = new java.util.ArrayList<>();
    List<io.envoyproxy.envoy.config.route.v3.RouteConfiguration> routes = new java.util.ArrayList<>();
    for (dev.embassy.controlplane.ir.HttpListener listener : config.listeners()) {
      HttpFilters filters = HttpFilters.of(listener);
      listeners.add(ListenerTranslator.listener(listener, filters));
      routes.add(RouteConfigurationTranslator.routeConfiguration(listener, filters));
    }
    return new XdsResources(
        config.nodeGroup(),
        listeners,
        routes,
        config.clusters().stream().map(ClusterTranslator::cluster).toList(),
        config.clusters().stream().map(EndpointTranslator::loadAssignment).toList(),
        List.copyOf(secrets.values()));
  }
}
