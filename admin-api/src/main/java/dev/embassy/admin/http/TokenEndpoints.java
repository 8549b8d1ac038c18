package dev.embassy.admin.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embassy.admin.auth.AdminTokens;
import dev.embassy.admin.auth.Role;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.store.AuditLog;
import dev.embassy.config.store.StoreException;
import dev.embassy.config.validate.FieldError;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Admin token management: issue (the secret is shown once), list and revoke. */
final class TokenEndpoints {
  private final AdminTokens tokens;
  private final AuditLog auditLog;

  TokenEndpoints(AdminTokens tokens, AuditLog auditLog) {
    this.tokens = tokens;
    this.auditLog = auditLog;
  }

  List<Endpoint> endpoints() {
    return List.of(
        Endpoint.of(HandlerType.GET, "/api/v1/tokens", Role.admin, (ctx, caller) -> list(ctx)),
        Endpoint.of(HandlerType.POST, "/api/v1/tokens", Role.admin, (ctx, caller) -> issue(ctx, caller.owner())),
        Endpoint.of(HandlerType.DELETE, "/api/v1/tokens/{id}", Role.admin, (ctx, caller) -> revoke(ctx, caller.owner())));
  }

  private void list(Context ctx) {
    ObjectNode body = ConfigJson.json().createObjectNode();
    ArrayNode items = body.putArray("items");
    tokens.list().forEach(t -> items.add(json(t)));
    Responses.json(ctx, 200, body);
  }

  private void issue(Context ctx, String actor) {
    Bodies.format(ctx, false, Set.of(Bodies.JSON));
    JsonNode body = Bodies.tree(Bodies.read(ctx, 4096), Bodies.Format.JSON);
    List<FieldError> errors = new ArrayList<>();
    String owner = body.path("owner").isTextual() ? body.path("owner").asText() : null;
    // Owners are shown in the audit log; control and format characters (bidi overrides, zero-width
    // joiners) would let a token's owner masquerade as someone else there.
    if (owner == null || owner.isBlank() || owner.length() > 200
        || owner.codePoints().anyMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT || !Character.isDefined(c))) {
      errors.add(new FieldError("/owner", "must be a 1-200 character name without control or format characters"));
    }
    Role role = null;
    try {
      role = Role.valueOf(body.path("role").asText(""));
    } catch (IllegalArgumentException e) {
      errors.add(new FieldError("/role", "must be viewer, editor or admin"));
    }
    body.fieldNames().forEachRemaining(field -> {
      if (!field.equals("owner") && !field.equals("role")) {
        errors.add(new FieldError("/" + field, "unknown field"));
      }
    });
    if (!errors.isEmpty()) {
      throw new StoreException.Invalid(errors);
    }
    AdminTokens.IssuedToken issued = tokens.issue(owner, role);
    auditLog.record(actor, "token.issue", "issued " + role + " token " + issued.info().id() + " for " + owner);
    ObjectNode answer = json(issued.info());
    answer.put("token", issued.token());
    ctx.header("Location", "/api/v1/tokens/" + issued.info().id());
    Responses.json(ctx, 201, answer);
  }

  private void revoke(Context ctx, String actor) {
    String id = ctx.pathParam("id");
    if (!tokens.revoke(id)) {
      throw new StoreException.NotFound("active token " + id);
    }
    auditLog.record(actor, "token.revoke", "revoked token " + id);
    ctx.status(204);
  }

  private static ObjectNode json(AdminTokens.TokenInfo info) {
    ObjectNode node = ConfigJson.json().createObjectNode();
    node.put("id", info.id());
    node.put("owner", info.owner());
    node.put("role", info.role().name());
    node.put("createdAt", info.createdAt().toString());
    info.revokedAt().ifPresent(r -> node.put("revokedAt", r.toString()));
    return node;
  }
}
