package dev.embassy.admin.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embassy.admin.auth.Role;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.store.ProxyStatuses;
import dev.embassy.config.store.Quarantines;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;

/**
 * What the Envoys actually run, as the control-plane replicas report it: connected proxies with
 * the version of each type they ACKed and their last NACK, and the NACK log with the resources
 * kept out because of NACKs. Envoy rejections are never invisible (Envoy Gateway #9198).
 */
final class ProxyEndpoints {
  private final ProxyStatuses statuses;
  private final Quarantines quarantines;

  ProxyEndpoints(ProxyStatuses statuses, Quarantines quarantines) {
    this.statuses = statuses;
    this.quarantines = quarantines;
  }

  List<Endpoint> endpoints() {
    return List.of(
        Endpoint.of(HandlerType.GET, "/api/v1/proxies", Role.viewer, (ctx, caller) -> proxies(ctx)),
        Endpoint.of(HandlerType.GET, "/api/v1/nacks", Role.viewer, (ctx, caller) -> nacks(ctx)));
  }

  private void proxies(Context ctx) {
    ObjectNode body = ConfigJson.json().createObjectNode();
    ArrayNode items = body.putArray("items");
    for (ProxyStatuses.Proxy proxy : statuses.live()) {
      ObjectNode item = items.addObject();
      item.put("proxyId", proxy.proxyId());
      item.put("nodeGroup", proxy.nodeGroup());
      item.put("replica", proxy.replica());
      item.put("connectedSince", proxy.connectedSince().toString());
      item.put("appliedRevision", proxy.appliedRevision());
      ObjectNode acked = item.putObject("acked");
      proxy.acked().forEach(acked::put);
      statuses.nacks(proxy.proxyId(), 1).stream().findFirst().ifPresent(nack -> item.set("lastNack", json(nack)));
    }
    Responses.json(ctx, 200, body);
  }

  private void nacks(Context ctx) {
    int limit = ResourceEndpoints.Queries.intParam(ctx, "limit", 100, 1, 1000);
    ObjectNode body = ConfigJson.json().createObjectNode();
    ArrayNode items = body.putArray("items");
    statuses.nacks(ctx.queryParam("proxy"), limit).forEach(n -> items.add(json(n)));
    ArrayNode quarantined = body.putArray("quarantined");
    quarantines.all().forEach(q -> quarantined.add(QuarantineJson.of(q)));
    Responses.json(ctx, 200, body);
  }

  private static ObjectNode json(ProxyStatuses.Nack nack) {
    ObjectNode node = ConfigJson.json().createObjectNode();
    node.put("at", nack.at().toString());
    node.put("proxyId", nack.proxyId());
    node.put("nodeGroup", nack.nodeGroup());
    node.put("replica", nack.replica());
    node.put("typeUrl", nack.typeUrl());
    node.put("version", nack.version());
    node.put("detail", nack.detail());
    return node;
  }
}
