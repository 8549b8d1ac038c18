package dev.embassy.config.validate;

import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.Gateway.Listener;
import dev.embassy.config.model.Gateway.Protocol;

final class GatewayRules {
  private static final int MAX_LISTENERS = 64;

  private GatewayRules() {}

  static void check(Gateway gateway, Violations v) {
    Checks.name(v, "nodeGroup", gateway.nodeGroup());
    if (gateway.sidecar().isEmpty() && Checks.required(v, "listeners", gateway.listeners())) {
      Checks.maxSize(v, "listeners", gateway.listeners(), MAX_LISTENERS);
    }
    Checks.maxSize(v, "listeners", gateway.listeners(), MAX_LISTENERS);
    Checks.unique(v, "listeners", gateway.listeners(), Listener::name, "duplicate listener name");
    Checks.unique(v, "listeners", gateway.listeners(), Listener::port, "two listeners on port");
    gateway.sidecar().ifPresent(sidecar -> sidecar(gateway, sidecar, v.at("sidecar")));
    for (int i = 0; i < gateway.listeners().size(); i++) {
      Listener listener = gateway.listeners().get(i);
      Violations at = v.at("listeners", i);
      if (listener == null) {
        at.here("must be an object");
        continue;
      }
      Checks.name(at, "name", listener.name());
      Checks.port(at, "port", listener.port());
      Checks.hostnames(at, listener.hostnames(), 16);
      if (listener.protocol() == Protocol.HTTPS) {
        if (listener.tls().map(tls -> tls.certificateRefs().isEmpty()).orElse(true)) {
          at.add("tls", "an HTTPS listener needs tls.certificateRefs");
        }
      } else if (listener.tls().isPresent()) {
        at.add("tls", "only HTTPS listeners take tls");
      }
      listener.tls().ifPresent(tls -> {
        Checks.maxSize(at.at("tls"), "certificateRefs", tls.certificateRefs(), 16);
        for (int j = 0; j < tls.certificateRefs().size(); j++) {
          Checks.name(at.at("tls", "certificateRefs"), Integer.toString(j), tls.certificateRefs().get(j));
        }
      });
    }
  }

  /** @param v the {@code /sidecar} view; {@code gateway} the whole gateway, for ports and listener names */
  private static void sidecar(Gateway gateway, Gateway.Sidecar sidecar, Violations v) {
    java.util.Set<Integer> ports = new java.util.HashSet<>();
    gateway.listeners().forEach(l -> ports.add(l == null ? null : l.port()));
    if (Checks.required(v, "inbound", sidecar.inbound())) {
      Violations inbound = v.at("inbound");
      Checks.port(inbound, "port", sidecar.inbound().port());
      Checks.port(inbound, "appPort", sidecar.inbound().appPort());
      if (sidecar.inbound().port() != null && !ports.add(sidecar.inbound().port())) {
        inbound.add("port", "another listener of this gateway uses port " + sidecar.inbound().port());
      }
      if (sidecar.inbound().port() != null && sidecar.inbound().port().equals(sidecar.inbound().appPort())) {
        inbound.add("appPort", "the app cannot listen on the port Envoy takes for it");
      }
    }
    sidecar.outbound().ifPresent(outbound -> {
      Violations at = v.at("outbound");
      Checks.port(at, "port", outbound.port());
      if (outbound.port() != null && !ports.add(outbound.port())) {
        at.add("port", "another listener of this gateway uses port " + outbound.port());
      }
      Checks.maxSize(at, "clusters", outbound.clusters(), 256);
      Checks.unique(at, "clusters", outbound.clusters(), c -> c, "duplicate cluster");
      for (int i = 0; i < outbound.clusters().size(); i++) {
        Checks.name(at.at("clusters"), Integer.toString(i), outbound.clusters().get(i));
      }
    });
    // The sidecar's listeners take these names in the node group (<gateway>-inbound, -outbound).
    for (int i = 0; i < gateway.listeners().size(); i++) {
      Listener listener = gateway.listeners().get(i);
      if (listener != null && ("inbound".equals(listener.name()) || Gateway.OUTBOUND_LISTENER.equals(listener.name()))) {
        v.here("listener " + i + " is named " + listener.name() + ", which a sidecar gateway uses itself; rename the listener");
      }
    }
  }
}
