package dev.embassy.controlplane.translate;

import dev.embassy.controlplane.ir.GatewayConfig;

/**
 * Turns a node group's {@link GatewayConfig} into Envoy resources. Pure: no I/O, clock or
 * randomness, so the same input always yields the same resources, byte for byte, on every
 * replica.
 */
public final class XdsTranslator {
  private XdsTranslator() {}

  public static XdsResources translate(GatewayConfig config) {
    return new XdsResources(
        config.nodeGroup(),
        config.listeners().stream().map(ListenerTranslator::listener).toList(),
        config.listeners().stream().map(RouteTranslator::routeConfiguration).toList(),
        config.clusters().stream().map(ClusterTranslator::cluster).toList(),
        config.clusters().stream().map(EndpointTranslator::loadAssignment).toList());
  }
}
