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
 */
public record ControlPlaneHealth(boolean storeReachable, long servedRevision, long connectedProxies, List<String> discoveryFailing) {
  public ControlPlaneHealth {
    discoveryFailing = List.copyOf(discoveryFailing);
  }

  boolean degraded() {
    return !storeReachable || !discoveryFailing.isEmpty();
  }

  public StatusReport status() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", degraded() ? "degraded" : "ok");
    body.put("store", storeReachable ? "ok" : "unreachable");
    body.put("discovery", discoveryFailing.isEmpty() ? "ok" : "failing");
    body.put("discoveryFailing", discoveryFailing);
    body.put("servedRevision", servedRevision);
    body.put("connectedProxies", connectedProxies);
    return new StatusReport(servedRevision >= 0, body);
  }
}
