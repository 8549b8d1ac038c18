package dev.embassy.admin.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.store.Quarantines;

/** A quarantined resource as every answer shows it. */
final class QuarantineJson {
  private QuarantineJson() {}

  static ObjectNode of(Quarantines.Quarantined q) {
    ObjectNode node = ConfigJson.json().createObjectNode();
    node.put("kind", q.kind().pathSegment());
    node.put("name", q.name());
    node.put("nodeGroup", q.nodeGroup());
    node.put("revision", q.revision());
    node.put("proxyId", q.proxyId());
    node.put("detail", q.detail());
    node.put("since", q.since().toString());
    return node;
  }
}
