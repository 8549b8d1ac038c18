package dev.embassy.controlplane.status;

import dev.embassy.status.StatusReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the control plane knows about itself right now, for its status port. It is healthy while
 * it serves (even stale config), degraded while the store is unreachable or Consul watches fail
 * (their last known endpoints keep being served), and ready once it serves a revision, so a new
 * replica takes no Envoys before it has config.
 *
 * @param servedRevision the revision served, -1 before the first
 * @param discoveryFailing the Consul watches failing
 * @param connectFailing the Consul Connect watches failing (their last roots, leaves and intentions are served)
 * @param connectPending Connect identities Consul has not given yet (their sidecars' inbound ports stay shut)
 * @param connectUnknown Connect services the config names that Consul's catalog does not list (reported, not degraded)
 */
public record ControlPlaneHealth(boolean storeReachable, long servedRevision, long connectedProxies, List<String> discoveryFailing,
    List<String> connectFailing, List<String> connectPending, List<String> connectUnknown) {
  public ControlPlaneHealth {
    discoveryFailing = List.copyOf(discoveryFailing);
    connectFailing = List.copyOf(connectFailing);
    connectPending = List.copyOf(connectPending);
    connectUnknown = List.copyOf(connectUnknown);
  }

  public ControlPlaneHealth(boolean storeReachable, long servedRevision, long connectedProxies, List<String> discoveryFailing) {
    this(storeReachable, servedRevision, connectedProxies, discoveryFailing, List.of(), List.of(), List.of());
  }

  boolean degraded() {
    return !storeReachable || !discoveryFailing.isEmpty() || !connectFailing.isEmpty();
  }

  public StatusReport status() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", degraded() ? "degraded" : "ok");
    body.put("store", storeReachable ? "ok" : "unreachable");
    body.put("discovery", discoveryFailing.isEmpty() ? "ok" : "failing");
    body.put("discoveryFailing", discoveryFailing);
    if (!connectFailing.isEmpty() || !connectPending.isEmpty()) {
      body.put("connect", connectFailing.isEmpty() ? "pending" : "failing");
      body.put("connectFailing", connectFailing);
      body.put("connectPending", connectPending);
    }
    if (!connectUnknown.isEmpty()) {
      body.put("connectUnknownServices", connectUnknown);
    }
    body.put("servedRevision", servedRevision);
    body.put("connectedProxies", connectedProxies);
    return new StatusReport(servedRevision >= 0, body);
  }
}
