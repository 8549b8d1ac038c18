package dev.embassy.config.validate;

import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.Gateway.Listener;
import dev.embassy.config.model.Gateway.Protocol;
import java.util.ArrayList;
import java.util.List;

final class GatewayRules {
  private static final int MAX_LISTENERS = 64;

  private GatewayRules() {}

  static void check(Gateway gateway, Violations v) {
    Checks.name(v, "nodeGroup", gateway.nodeGroup());
    if (gateway.proxyless().isPresent()) {
      ProxylessRules.gateway(gateway, v);
    } else if (gateway.sidecar().isEmpty() && Checks.required(v, "listeners", gateway.listeners())) {
      Checks.maxSize(v, "listeners", gateway.listeners(), MAX_LISTENERS);
    }
    Checks.maxSize(v, "listeners", gateway.listeners(), MAX_LISTENERS);
    Checks.unique(v, "listeners", gateway.listeners(), Listener::name, "duplicate listener name");
    Checks.unique(v, "listeners", gateway.listeners(), Listener::port, "two listeners on port");
    gateway.sidecar().ifPresent(sidecar -> sidecar(gateway, sidecar, v.at("sidecar")));
    ConnectRules.gateway(gateway, v);
    ObservabilityRules.check(gateway, v);
    CompressionRules.check(gateway, v);
    TracingRules.check(gateway, v);
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
      ClientTrafficRules.listener(at, listener);
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
        tls.clientCertificates().ifPresent(client -> {
          Violations clientAt = at.at("tls", "clientCertificates");
          Checks.name(clientAt, "caCertificateRef", client.caCertificateRef());
        });
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
      } else if (sidecar.inbound().appPort() != null && ports.contains(sidecar.inbound().appPort())) {
        // Envoy would bind 0.0.0.0 on the port the app already holds on loopback: the bind fails.
        inbound.add("appPort", "a listener of this gateway takes port " + sidecar.inbound().appPort() + ", which the app listens on");
      }
    }
    sidecar.outbound().ifPresent(outbound -> {
      Violations at = v.at("outbound");
      Checks.port(at, "port", outbound.port());
      if (outbound.port() != null && !ports.add(outbound.port())) {
        at.add("port", "another listener of this gateway uses port " + outbound.port());
      } else if (outbound.port() != null && sidecar.inbound() != null && outbound.port().equals(sidecar.inbound().appPort())) {
        at.add("port", "the app listens on port " + outbound.port() + " (sidecar.inbound.appPort)");
      }
      Checks.maxSize(at, "clusters", outbound.clusters(), 256);
      Checks.unique(at, "clusters", outbound.clusters(), c -> c, "duplicate cluster");
      for (int i = 0; i < outbound.clusters().size(); i++) {
        Checks.name(at.at("clusters"), Integer.toString(i), outbound.clusters().get(i));
      }
    });
    ConnectRules.sidecar(sidecar, v);
    // The sidecar's listeners take these names in the node group (<gateway>-inbound, -outbound).
    for (int i = 0; i < gateway.listeners().size(); i++) {
      Listener listener = gateway.listeners().get(i);
      if (listener != null && ("inbound".equals(listener.name()) || Gateway.OUTBOUND_LISTENER.equals(listener.name()))) {
        v.here("listener " + i + " is named " + listener.name() + ", which a sidecar gateway uses itself; rename the listener");
      }
    }
  }

  /**
   * Every gateway of a node group is served to the same Envoys, so their listeners share one port
   * space. Envoy refuses a second listener on an address:port ("error adding listener: '...' has
   * duplicate address '0.0.0.0:10000' as existing listener"), and a 0.0.0.0 listener beside the
   * sidecar's 127.0.0.1 outbound one on the same port is accepted but splits that port's traffic.
   * Gateway API would merge such listeners only when protocol, TLS and hostnames are compatible;
   * Embassy refuses instead (docs/validation-fields.md): a port belongs to one gateway listener.
   *
   * @param peers the other gateways of {@code gateway}'s node group as they will be after the write
   */
  static void nodeGroupPorts(Gateway gateway, List<Gateway> peers, Violations v) {
    List<PortUse> taken = new ArrayList<>();
    peers.forEach(peer -> taken.addAll(ports(peer)));
    for (PortUse use : ports(gateway)) {
      taken.stream()
          .filter(other -> other.port() == use.port() && (use.envoy() || other.envoy()))
          .findFirst()
          .ifPresent(other -> v.addAtPointer(use.pointer(), "port " + use.port() + " is already taken in node group "
              + gateway.nodeGroup() + " by gateway " + other.gateway() + " (" + other.what() + "); the Envoys of a node group "
              + "cannot bind one port twice, so gateways sharing a node group need distinct ports"));
    }
  }

  /** A port one gateway takes on its Envoys' host: a listener Envoy binds, or the port a sidecar's app listens on. */
  private record PortUse(int port, String gateway, String what, String pointer, boolean envoy) {}

  private static List<PortUse> ports(Gateway gateway) {
    List<PortUse> ports = new ArrayList<>();
    for (int i = 0; i < gateway.listeners().size(); i++) {
      Listener listener = gateway.listeners().get(i);
      if (listener != null && listener.port() != null) {
        ports.add(new PortUse(listener.port(), gateway.name(), "listener " + listener.name(), "/listeners/" + i + "/port", true));
      }
    }
    gateway.sidecar().ifPresent(sidecar -> {
      if (sidecar.inbound() != null && sidecar.inbound().port() != null) {
        ports.add(new PortUse(sidecar.inbound().port(), gateway.name(), "sidecar inbound listener", "/sidecar/inbound/port", true));
      }
      if (sidecar.inbound() != null && sidecar.inbound().appPort() != null) {
        ports.add(new PortUse(sidecar.inbound().appPort(), gateway.name(), "the port its sidecar's app listens on", "/sidecar/inbound/appPort", false));
      }
      sidecar.outbound().filter(outbound -> outbound.port() != null).ifPresent(outbound ->
          ports.add(new PortUse(outbound.port(), gateway.name(), "sidecar outbound listener", "/sidecar/outbound/port", true)));
    });
    gateway.stats().filter(stats -> stats.port() != null).ifPresent(stats ->
        ports.add(new PortUse(stats.port(), gateway.name(), "stats listener", "/stats/port", true)));
    return ports;
  }
}
