package dev.embassy.config.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The listeners of a gateway that routes attach to: its own, plus a sidecar's outbound listener
 * (named {@value Gateway#OUTBOUND_LISTENER}). The one place validation, conflict checking and the
 * control plane agree on it.
 */
public final class RouteAttachment {
  private RouteAttachment() {}

  public static List<Gateway.Listener> listeners(Gateway gateway) {
    List<Gateway.Listener> listeners = new ArrayList<>(gateway.listeners());
    gateway.sidecar().flatMap(Gateway.Sidecar::outbound).ifPresent(outbound -> listeners.add(
        new Gateway.Listener(Gateway.OUTBOUND_LISTENER, outbound.port(), Gateway.Protocol.HTTP, List.of(), Optional.empty())));
    return listeners;
  }
}
