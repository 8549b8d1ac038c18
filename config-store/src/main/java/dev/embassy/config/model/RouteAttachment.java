package dev.embassy.config.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The listeners of a gateway that routes attach to: its own, plus a sidecar's outbound listener
 * (named {@value Gateway#OUTBOUND_LISTENER}), plus one per service a proxyless gateway exposes
 * (named after the service, and accepting that name as its only hostname: the virtual host a gRPC
 * client looks up is the name it dialled). The one place validation, conflict checking and the
 * control plane agree on it.
 */
public final class RouteAttachment {
  private RouteAttachment() {}

  public static List<Gateway.Listener> listeners(Gateway gateway) {
    List<Gateway.Listener> listeners = new ArrayList<>(gateway.listeners());
    gateway.sidecar().flatMap(Gateway.Sidecar::outbound).ifPresent(outbound -> listeners.add(
        new Gateway.Listener(Gateway.OUTBOUND_LISTENER, outbound.port(), Gateway.Protocol.HTTP, List.of(), Optional.empty())));
    proxylessServices(gateway).forEach(service -> listeners.add(
        new Gateway.Listener(service, null, Gateway.Protocol.HTTP, List.of(service), Optional.empty())));
    return listeners;
  }

  /** The services a proxyless gateway exposes to gRPC clients; none for an Envoy gateway. */
  public static List<String> proxylessServices(Gateway gateway) {
    return gateway.proxyless().map(Gateway.Proxyless::services).orElse(List.of()).stream()
        .filter(java.util.Objects::nonNull).toList();
  }

  /** Whether {@code listener} of {@code gateway} is one a gRPC client resolves, not one an Envoy binds. */
  public static boolean proxyless(Gateway gateway, String listener) {
    return proxylessServices(gateway).contains(listener);
  }
}
