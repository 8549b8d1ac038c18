package dev.embassy.admin.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embassy.admin.auth.Role;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.config.store.Quarantines;
import dev.embassy.config.store.ResourcePage;
import dev.embassy.config.store.StoreException;
import dev.embassy.config.store.StoredResource;
import dev.embassy.config.store.WriteResult;
import dev.embassy.config.validate.FieldError;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/** CRUD for every resource kind under /api/v1/{kind}: the same six operations for each. */
final class ResourceEndpoints {
  static final long MAX_RESOURCE_BYTES = 1024 * 1024;
  private static final int DEFAULT_PAGE = 100;
  private static final int MAX_PAGE = 1000;

  private final ConfigStore store;
  private final ConvergenceWait convergence;
  private final Quarantines quarantines;

  ResourceEndpoints(ConfigStore store, ConvergenceWait convergence, Quarantines quarantines) {
    this.store = store;
    this.convergence = convergence;
    this.quarantines = quarantines;
  }

  List<Endpoint> endpoints() {
    List<Endpoint> endpoints = new ArrayList<>();
    for (ResourceKind kind : ResourceKind.values()) {
      String collection = "/api/v1/" + kind.pathSegment();
      String item = collection + "/{name}";
      endpoints.add(Endpoint.of(HandlerType.GET, collection, Role.viewer, (ctx, caller) -> list(ctx, kind)));
      endpoints.add(Endpoint.of(HandlerType.POST, collection, Role.editor, (ctx, caller) -> create(ctx, kind, caller.owner())));
      endpoints.add(Endpoint.of(HandlerType.GET, item, Role.viewer, (ctx, caller) -> get(ctx, kind)));
      endpoints.add(Endpoint.of(HandlerType.PUT, item, Role.editor, (ctx, caller) -> replace(ctx, kind, caller.owner())));
      endpoints.add(Endpoint.of(HandlerType.PATCH, item, Role.editor, (ctx, caller) -> patch(ctx, kind, caller.owner())));
      endpoints.add(Endpoint.of(HandlerType.DELETE, item, Role.editor, (ctx, caller) -> delete(ctx, kind, caller.owner())));
    }
    return endpoints;
  }

  private void list(Context ctx, ResourceKind kind) {
    int limit = Queries.intParam(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
    ResourcePage page = store.list(kind, Queries.labelSelector(ctx), Cursors.decode(ctx.queryParam("cursor")), limit);
    ObjectNode body = ConfigJson.json().createObjectNode();
    var items = body.putArray("items");
    for (StoredResource stored : page.items()) {
      items.add(ConfigJson.json().valueToTree(stored.resource()));
    }
    page.continueAfter().ifPresent(last -> body.put("nextCursor", Cursors.encode(last)));
    Responses.json(ctx, 200, body);
  }

  private void get(Context ctx, ResourceKind kind) {
    String name = ctx.pathParam("name");
    StoredResource stored = store.get(kind, name).orElseThrow(() -> new StoreException.NotFound(kind, name));
    ctx.header("ETag", stored.etag());
    // Read-only status, like Kubernetes' status: present only when a proxy rejected the resource
    // and the control plane keeps it out; ignored when the body is written back.
    java.util.Optional<Quarantines.Quarantined> quarantined = quarantines.of(kind, name);
    if (quarantined.isEmpty()) {
      Responses.json(ctx, 200, stored.resource());
      return;
    }
    ObjectNode body = ConfigJson.json().valueToTree(stored.resource());
    body.putObject("status").set("quarantined", QuarantineJson.of(quarantined.get()));
    ctx.header("Embassy-Quarantined", kind.pathSegment() + "/" + name);
    Responses.json(ctx, 200, body);
  }

  private void create(Context ctx, ResourceKind kind, String actor) {
    ConfigResource resource = Bodies.bind(readJson(ctx), kind.type());
    WriteResult result = store.create(resource, actor, "create " + kind.pathSegment() + "/" + resource.name());
    StoredResource stored = result.resource().orElseThrow();
    Responses.revision(ctx, result.revision());
    convergence.await(ctx, result.revision(), List.of(Map.entry(kind, resource.name())));
    ctx.header("ETag", stored.etag());
    ctx.header("Location", "/api/v1/" + kind.pathSegment() + "/" + stored.resource().name());
    Responses.json(ctx, 201, stored.resource());
  }

  private void replace(Context ctx, ResourceKind kind, String actor) {
    String name = ctx.pathParam("name");
    JsonNode body = readJson(ctx);
    if (body.isObject() && !body.has("name")) {
      ((ObjectNode) body).put("name", name);
    }
    write(ctx, kind, name, Bodies.bind(body, kind.type()), EntityTags.ifMatch(ctx), actor, "replace");
  }

  private void patch(Context ctx, ResourceKind kind, String actor) {
    String name = ctx.pathParam("name");
    Bodies.format(ctx, false, Set.of(Bodies.MERGE_PATCH));
    JsonNode patch = withoutStatus(Bodies.tree(Bodies.read(ctx, MAX_RESOURCE_BYTES), Bodies.Format.JSON));
    StoredResource current = store.get(kind, name).orElseThrow(() -> new StoreException.NotFound(kind, name));
    OptionalLong ifMatch = EntityTags.ifMatch(ctx);
    JsonNode merged = MergePatch.apply(ConfigJson.json().valueToTree(current.resource()), patch);
    // The patch was computed against what we just read; guard the write with that revision so
    // a concurrent change is a 412, never a lost update.
    write(ctx, kind, name, Bodies.bind(merged, kind.type()), ifMatch.isPresent() ? ifMatch : OptionalLong.of(current.revision()), actor, "patch");
  }

  private void write(Context ctx, ResourceKind kind, String name, ConfigResource resource, OptionalLong ifMatch, String actor, String verb) {
    if (!name.equals(resource.name())) {
      throw new StoreException.Invalid(List.of(new FieldError("/name", "must equal the name in the URL ('" + name + "'); resources cannot be renamed")));
    }
    WriteResult result = store.replace(resource, ifMatch, actor, verb + " " + kind.pathSegment() + "/" + name);
    StoredResource stored = result.resource().orElseThrow();
    Responses.revision(ctx, result.revision());
    convergence.await(ctx, result.revision(), List.of(Map.entry(kind, name)));
    ctx.header("ETag", stored.etag());
    Responses.json(ctx, 200, stored.resource());
  }

  private void delete(Context ctx, ResourceKind kind, String actor) {
    String name = ctx.pathParam("name");
    WriteResult result = store.delete(kind, name, EntityTags.ifMatch(ctx), actor, "delete " + kind.pathSegment() + "/" + name);
    Responses.revision(ctx, result.revision());
    convergence.await(ctx, result.revision(), List.of(Map.entry(kind, name)));
    ctx.status(204);
  }

  private static JsonNode readJson(Context ctx) {
    Bodies.format(ctx, false, Set.of(Bodies.JSON));
    return withoutStatus(Bodies.tree(Bodies.read(ctx, MAX_RESOURCE_BYTES), Bodies.Format.JSON));
  }

  /** What a GET added as read-only status is not part of the resource: a body read back and written again must work. */
  private static JsonNode withoutStatus(JsonNode body) {
    if (body instanceof ObjectNode object) {
      object.remove("status");
    }
    return body;
  }

  /** Query parameters shared by list endpoints. */
  static final class Queries {
    private Queries() {}

    static int intParam(Context ctx, String name, int fallback, int min, int max) {
      String value = ctx.queryParam(name);
      if (value == null) {
        return fallback;
      }
      try {
        int parsed = Integer.parseInt(value);
        if (parsed >= min && parsed <= max) {
          return parsed;
        }
      } catch (NumberFormatException e) {
        // Falls through to the error below.
      }
      throw new ApiProblem(400, "Bad request", "query parameter " + name + " must be an integer from " + min + " to " + max);
    }

    /** {@code labelSelector=team=edge,tier=public}: every label must match exactly. */
    static Map<String, String> labelSelector(Context ctx) {
      String selector = ctx.queryParam("labelSelector");
      Map<String, String> labels = new TreeMap<>();
      if (selector == null || selector.isBlank()) {
        return labels;
      }
      for (String term : selector.split(",")) {
        String[] kv = term.split("=", 2);
        if (kv.length != 2 || kv[0].isBlank()) {
          throw new ApiProblem(400, "Bad request", "labelSelector must be key=value pairs separated by commas");
        }
        labels.put(kv[0].strip(), kv[1].strip());
      }
      return labels;
    }
  }
}
