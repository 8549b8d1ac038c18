package dev.embassy.admin.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embassy.admin.auth.Role;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.store.ApplyResult;
import dev.embassy.config.store.AuditLog;
import dev.embassy.config.store.ConfigRevision;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.config.store.ResourceDiff;
import dev.embassy.config.store.StoreException;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Whole-config operations: declarative apply, dump, revisions, diff, rollback and the audit log. */
final class ConfigEndpoints {
  /** A 10,000-route document is a few MiB; this leaves room without inviting memory exhaustion. */
  static final long MAX_DOCUMENT_BYTES = 64L * 1024 * 1024;

  private final ConfigStore store;
  private final ConvergenceWait convergence;
  private final dev.embassy.config.store.ProxyStatuses statuses;

  private final AuditLog auditLog;

  ConfigEndpoints(ConfigStore store, ConvergenceWait convergence, dev.embassy.config.store.ProxyStatuses statuses, AuditLog auditLog) {
    this.auditLog = auditLog;
    this.store = store;
    this.convergence = convergence;
    this.statuses = statuses;
  }

  List<Endpoint> endpoints() {
    return List.of(
        Endpoint.of(HandlerType.POST, "/api/v1/config:apply", Role.editor, (ctx, caller) -> apply(ctx, caller.owner())),
        Endpoint.of(HandlerType.GET, "/api/v1/config", Role.viewer, (ctx, caller) -> dump(ctx)),
        Endpoint.of(HandlerType.GET, "/api/v1/revisions", Role.viewer, (ctx, caller) -> revisions(ctx)),
        Endpoint.of(HandlerType.GET, "/api/v1/revisions/{id}", Role.viewer, (ctx, caller) -> revision(ctx)),
        Endpoint.of(HandlerType.GET, "/api/v1/revisions/{id}/diff", Role.viewer, (ctx, caller) -> diff(ctx)),
        Endpoint.of(HandlerType.POST, "/api/v1/revisions/{id}/rollback", Role.editor, (ctx, caller) -> rollback(ctx, caller.owner())),
        Endpoint.of(HandlerType.GET, "/api/v1/audit", Role.viewer, (ctx, caller) -> audit(ctx)));
  }

  private void apply(Context ctx, String actor) {
    Bodies.Format format = Bodies.format(ctx, true, Set.of(Bodies.JSON));
    ConfigDocument document = Bodies.bind(Bodies.tree(Bodies.read(ctx, MAX_DOCUMENT_BYTES), format), ConfigDocument.class);
    boolean prune = booleanParam(ctx, "prune");
    boolean dryRun = booleanParam(ctx, "dryRun");
    ApplyResult result = store.apply(document, prune, dryRun, actor, "apply" + (prune ? " with prune" : ""));
    Responses.revision(ctx, result.revision());
    ObjectNode body = applyBody(result);
    convergence.await(ctx, result.revision(), written(result)).ifPresent(c -> ConvergenceWait.describe(body, c));
    Responses.json(ctx, 200, body);
  }

  private void dump(Context ctx) {
    ConfigDocument document = store.dump();
    String format = ctx.queryParam("format");
    try {
      if ("yaml".equals(format)) {
        ctx.contentType("application/yaml").result(ConfigJson.yaml().writeValueAsString(document));
      } else if (format == null || "json".equals(format)) {
        Responses.json(ctx, 200, document);
      } else {
        throw new ApiProblem(400, "Bad request", "format must be json or yaml");
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void revisions(Context ctx) {
    int limit = ResourceEndpoints.Queries.intParam(ctx, "limit", 50, 1, 500);
    long before = longParam(ctx, "before", 0);
    List<ConfigRevision> page = store.revisions(before, limit);
    ObjectNode body = ConfigJson.json().createObjectNode();
    ArrayNode items = body.putArray("items");
    page.forEach(r -> items.add(revisionJson(r)));
    if (page.size() == limit) {
      body.put("nextBefore", page.getLast().id());
    }
    Responses.json(ctx, 200, body);
  }

  private void revision(Context ctx) {
    long id = pathId(ctx);
    ConfigRevision revision = store.revision(id).orElseThrow(() -> new StoreException.NotFound("revision " + id));
    ObjectNode body = revisionJson(revision);
    // "Applied on N of M proxies": live proxies running this revision or a later one.
    body.set("appliedOn", ConvergenceWait.appliedOn(statuses.convergence(id)));
    Responses.json(ctx, 200, body);
  }

  /** GET /revisions/{id}/diff?from=M: from M (default: the revision's parent) to {id}. */
  private void diff(Context ctx) {
    long to = pathId(ctx);
    ConfigRevision revision = store.revision(to).orElseThrow(() -> new StoreException.NotFound("revision " + to));
    // from=0 names the empty config before the first revision.
    long from = "0".equals(ctx.queryParam("from")) ? 0 : longParam(ctx, "from", revision.parentId());
    List<ResourceDiff> diffs = store.diff(from, to);
    ObjectNode body = ConfigJson.json().createObjectNode();
    body.put("from", from);
    body.put("to", to);
    ArrayNode changes = body.putArray("changes");
    diffs.forEach(d -> changes.add(diffJson(d, true)));
    Responses.json(ctx, 200, body);
  }

  private void rollback(Context ctx, String actor) {
    ApplyResult result = store.rollback(pathId(ctx), actor);
    Responses.revision(ctx, result.revision());
    ObjectNode body = applyBody(result);
    convergence.await(ctx, result.revision(), written(result)).ifPresent(c -> ConvergenceWait.describe(body, c));
    Responses.json(ctx, 200, body);
  }

  private static List<Map.Entry<ResourceKind, String>> written(ApplyResult result) {
    return result.changes().stream().map(c -> Map.entry(c.kind(), c.name())).toList();
  }

  /** Audit entries: who did what, when, and for config writes from which revision to which. */
  private void audit(Context ctx) {
    int limit = ResourceEndpoints.Queries.intParam(ctx, "limit", 50, 1, 500);
    long before = longParam(ctx, "before", 0);
    List<AuditLog.Event> page = auditLog.page(before, limit);
    ObjectNode body = ConfigJson.json().createObjectNode();
    ArrayNode items = body.putArray("items");
    for (AuditLog.Event e : page) {
      ObjectNode entry = items.addObject();
      entry.put("id", e.id());
      entry.put("at", e.at().toString());
      entry.put("actor", e.actor());
      entry.put("operation", e.action());
      entry.put("summary", e.summary());
      if (e.toRevision() > 0) {
        entry.put("fromRevision", e.fromRevision());
        entry.put("toRevision", e.toRevision());
      }
      entry.set("changes", tree(e.detailJson()));
    }
    if (page.size() == limit) {
      body.put("nextBefore", page.getLast().id());
    }
    Responses.json(ctx, 200, body);
  }

  private static ObjectNode applyBody(ApplyResult result) {
    ObjectNode body = ConfigJson.json().createObjectNode();
    body.put("dryRun", result.dryRun());
    result.revision().ifPresentOrElse(r -> body.put("revision", r.id()), () -> body.putNull("revision"));
    Map<dev.embassy.config.store.Change.Op, Integer> counts = new EnumMap<>(dev.embassy.config.store.Change.Op.class);
    ArrayNode changes = body.putArray("changes");
    for (ResourceDiff diff : result.changes()) {
      counts.merge(diff.op(), 1, Integer::sum);
      changes.add(diffJson(diff, result.dryRun()));
    }
    ObjectNode summary = body.putObject("summary");
    for (var op : dev.embassy.config.store.Change.Op.values()) {
      summary.put(op.name(), counts.getOrDefault(op, 0));
    }
    return body;
  }

  private static ObjectNode diffJson(ResourceDiff diff, boolean withContent) {
    ObjectNode node = ConfigJson.json().createObjectNode();
    node.put("kind", diff.kind().pathSegment());
    node.put("name", diff.name());
    node.put("op", diff.op().name());
    if (withContent) {
      diff.before().ifPresent(b -> node.set("before", b));
      diff.after().ifPresent(a -> node.set("after", a));
    }
    return node;
  }

  private static ObjectNode revisionJson(ConfigRevision r) {
    ObjectNode node = ConfigJson.json().createObjectNode();
    node.put("id", r.id());
    node.put("parentId", r.parentId());
    node.put("createdAt", r.createdAt().toString());
    node.put("author", r.author());
    node.put("operation", r.operation());
    node.put("summary", r.summary());
    node.set("changes", tree(r.changesJson()));
    return node;
  }

  private static com.fasterxml.jackson.databind.JsonNode tree(String json) {
    try {
      return ConfigJson.json().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean booleanParam(Context ctx, String name) {
    String value = ctx.queryParam(name);
    if (value == null || value.equals("false")) {
      return false;
    }
    if (value.equals("true") || value.isEmpty()) {
      return true;
    }
    throw new ApiProblem(400, "Bad request", "query parameter " + name + " must be true or false");
  }

  private static long longParam(Context ctx, String name, long fallback) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value);
      if (parsed > 0) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // Falls through to the error below.
    }
    throw new ApiProblem(400, "Bad request", "query parameter " + name + " must be a positive revision id");
  }

  private static long pathId(Context ctx) {
    try {
      long id = Long.parseLong(ctx.pathParam("id"));
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // Falls through to the error below.
    }
    throw new ApiProblem(404, "Not found", "revision " + ctx.pathParam("id") + " does not exist");
  }
}
