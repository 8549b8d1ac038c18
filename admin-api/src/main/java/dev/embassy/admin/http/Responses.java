package dev.embassy.admin.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.store.ConfigRevision;
import io.javalin.http.Context;
import java.util.Optional;

/** Writes JSON answers with the headers every write carries. */
final class Responses {
  /** Names the revision a write created, so a client can wait for it to reach Envoy. */
  static final String REVISION_HEADER = "Embassy-Revision";

  private Responses() {}

  static void json(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType(Bodies.JSON).result(ConfigJson.json().writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise response", e);
    }
  }

  static void revision(Context ctx, Optional<ConfigRevision> revision) {
    revision.ifPresent(r -> ctx.header(REVISION_HEADER, Long.toString(r.id())));
  }
}
