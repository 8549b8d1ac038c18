package dev.embassy.admin.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.store.StoreException;
import dev.embassy.config.validate.FieldError;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.List;
import java.util.Locale;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers: RFC 9457 application/problem+json with an
 * {@code errors[]} array of JSON Pointers for field-level problems.
 */
final class Problems {
  static final String MEDIA_TYPE = "application/problem+json";
  private static final String TYPE_BASE = "https://embassy.dev/problems/";
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  private Problems() {}

  static void register(Javalin app) {
    app.exception(ApiProblem.class, (e, ctx) -> {
      e.headers().forEach(ctx::header);
      write(ctx, e.status(), e.title(), e.getMessage(), e.errors());
    });
    app.exception(StoreException.Invalid.class, (e, ctx) ->
        write(ctx, 422, "Invalid configuration", "The request was valid JSON but the configuration it describes is not; nothing was changed.", e.errors()));
    app.exception(StoreException.NotFound.class, (e, ctx) -> write(ctx, 404, "Not found", e.getMessage(), List.of()));
    app.exception(StoreException.AlreadyExists.class, (e, ctx) -> write(ctx, 409, "Already exists", e.getMessage(), List.of()));
    app.exception(StoreException.StillReferenced.class, (e, ctx) -> write(ctx, 409, "Still referenced", e.getMessage(), List.of()));
    app.exception(StoreException.PreconditionFailed.class, (e, ctx) -> {
      ctx.header("ETag", "\"" + e.currentRevision() + "\"");
      write(ctx, 412, "Precondition failed", e.getMessage(), List.of());
    });
    app.exception(DataAccessException.class, (e, ctx) -> {
      // SQLSTATE class 23 (integrity constraint violation): the database itself refused the write,
      // a conflict with concurrent or existing config that validation did not anticipate.
      if (e.sqlState() != null && e.sqlState().startsWith("23")) {
        LOG.warn("constraint violation on {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
        write(ctx, 409, "Conflict", "The change conflicts with the stored config (a database constraint refused it); nothing was changed.", List.of());
        return;
      }
      LOG.warn("database error on {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
      ctx.header("Retry-After", "5");
      write(ctx, 503, "Config store unavailable", "The config database could not be reached or refused the operation; nothing was changed.", List.of());
    });
    app.exception(HttpResponseException.class, (e, ctx) -> write(ctx, e.getStatus(), title(e.getStatus()), e.getMessage(), List.of()));
    app.exception(Exception.class, (e, ctx) -> {
      LOG.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
      write(ctx, 500, "Internal error", "An unexpected error occurred; it has been logged.", List.of());
    });
    // Unknown paths and wrong methods reach here without an exception.
    app.error(404, ctx -> {
      if (!isProblem(ctx)) {
        write(ctx, 404, "Not found", "No such endpoint: " + ctx.method() + " " + ctx.path(), List.of());
      }
    });
    app.error(405, ctx -> {
      if (!isProblem(ctx)) {
        write(ctx, 405, "Method not allowed", ctx.method() + " is not supported on " + ctx.path(), List.of());
      }
    });
  }

  static void write(Context ctx, int status, String title, String detail, List<FieldError> errors) {
    ObjectNode body = ConfigJson.json().createObjectNode();
    body.put("type", TYPE_BASE + title.toLowerCase(Locale.ROOT).replace(' ', '-'));
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.put("instance", ctx.path());
    if (!errors.isEmpty()) {
      ArrayNode list = body.putArray("errors");
      for (FieldError error : errors) {
        list.addObject().put("pointer", error.pointer()).put("detail", error.detail());
      }
    }
    // Bytes, not a String: Jetty would encode a String of an unknown media type as ISO-8859-1.
    ctx.status(status).contentType(MEDIA_TYPE).result(body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static boolean isProblem(Context ctx) {
    String type = ctx.res().getContentType();
    return type != null && type.startsWith(MEDIA_TYPE);
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "Bad request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not found";
      case 405 -> "Method not allowed";
      case 413 -> "Content too large";
      case 415 -> "Unsupported media type";
      default -> "HTTP " + status;
    };
  }
}
