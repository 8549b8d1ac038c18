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
    return new XdsResources(
        config.nodeGroup(),
        config.listeners().stream().map(ListenerTranslator::listener).toList(),
        config.listeners().stream().map(RouteConfigurationTranslator::routeConfiguration).toList(),
        config.clusters().stream().map(ClusterTranslator::cluster).toList(),
        config.clusters().stream().map(EndpointTranslator::loadAssignment).toList(),
        List.copyOf(secrets.values()));
  }
}
