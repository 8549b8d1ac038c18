package dev.embassy.ratelimit.status;

import dev.embassy.status.StatusReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a node knows about itself right now, for /healthz and /readyz. Healthy while it serves;
 * degraded while the config store or the registry is unreachable (the last policies and members
 * are used meanwhile); ready once policies are loaded, peers probed and the forwarding path warm,
 * so a starting node takes no traffic while its view of the cluster is incomplete.
 *
 * @param ready policies are loaded, every peer has been probed once and the forwarding path is warm: the node takes traffic
 * @param policySource where policies come from ("store" or "files:/dir")
 * @param policySourceHealthy false while the store (or the config directory) cannot be read; the
 *     last policies are enforced meanwhile
 * @param revision the store revision enforced, -1 for files or before the first load
 * @param members the live members in this node's view, by id, itself included
 */
public record NodeHealth(
    boolean ready,
    String nodeId,
    String policySource,
    boolean policySourceHealthy,
    long revision,
    int policies,
    String membership,
    boolean membershipHealthy,
    List<String> members,
    int counters) {
  public boolean degraded() {
    return !policySourceHealthy || !membershipHealthy;
  }

  /** What the status port answers. */
  public StatusReport status() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", degraded() ? "degraded" : "ok");
    body.put("ready", ready);
    body.put("node", nodeId);
    body.put("policySource", policySource);
    body.put("policySourceReachable", policySourceHealthy);
    body.put("revision", revision);
    body.put("policies", policies);
    body.put("membership", membership);
    body.put("membershipReachable", membershipHealthy);
    body.put("members", members);
    body.put("counters", counters);
    return new StatusReport(ready, body);
  }
}
