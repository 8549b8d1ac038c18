package dev.embassy.ratelimit.status;

import java.util.List;

/**
 * What a node knows about itself right now, for /healthz and /readyz.
 *
 * @param ready policies are loaded and every peer has been probed once: the node takes traffic
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

  String json() {
    StringBuilder out = new StringBuilder(256);
    out.append("{\"status\":\"").append(degraded() ? "degraded" : "ok").append('"')
        .append(",\"ready\":").append(ready)
        .append(",\"node\":\"").append(escape(nodeId)).append('"')
        .append(",\"policySource\":\"").append(escape(policySource)).append('"')
        .append(",\"policySourceReachable\":").append(policySourceHealthy)
        .append(",\"revision\":").append(revision)
        .append(",\"policies\":").append(policies)
        .append(",\"membership\":\"").append(escape(membership)).append('"')
        .append(",\"membershipReachable\":").append(membershipHealthy)
        .append(",\"members\":[");
    for (int i = 0; i < members.size(); i++) {
      out.append(i == 0 ? "" : ",").append('"').append(escape(members.get(i))).append('"');
    }
    return out.append("],\"counters\":").append(counters).append('}').toString();
  }

  private static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
