package dev.embassy.config.validate;

import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.Gateway.Listener;
import dev.embassy.config.model.Gateway.Protocol;

final class GatewayRules {
  private static final int MAX_LISTENERS = 64;

  private GatewayRules() {}

  static void check(Gateway gateway, Violations v) {
    Checks.name(v, "nodeGroup", gateway.nodeGroup());
    if (Checks.required(v, "listeners", gateway.listeners())) {
      Checks.maxSize(v, "listeners", gateway.listeners(), MAX_LISTENERS);
    }
    Checks.unique(v, "listeners", gateway.listeners(), Listener::name, "duplicate listener name");
    Checks.unique(v, "listeners", gateway.listeners(), Listener::port, "two listeners on port");
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
}
