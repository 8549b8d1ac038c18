package dev.embassy.admin.http;

import io.javalin.http.Context;
import java.util.OptionalLong;

/**
 * If-Match handling (RFC 9110 §13.1.1). A resource's ETag is the revision that last changed it,
 * quoted. Strong comparison: a weak tag never matches, so a write guarded by one fails with 412.
 */
final class EntityTags {
  /** A revision no resource has, used for tags that can never match. */
  private static final long NEVER = -1;

  private EntityTags() {}

  static String of(long revision) {
    return "\"" + revision + "\"";
  }

  /** The revision If-Match requires; empty when there is no If-Match or it is "*". */
  static OptionalLong ifMatch(Context ctx) {
    String header = ctx.header("If-Match");
    if (header == null || header.isBlank() || header.strip().equals("*")) {
      return OptionalLong.empty();
    }
    // Several tags may be listed; a write must name the current one, and with one current
    // revision only the first well-formed strong tag can ever match.
    for (String tag : header.split(",")) {
      String t = tag.strip();
      if (t.length() > 2 && t.startsWith("\"") && t.endsWith("\"")) {
        try {
          return OptionalLong.of(Long.parseLong(t.substring(1, t.length() - 1)));
        } catch (NumberFormatException ignored) {
          return OptionalLong.of(NEVER);
        }
      }
    }
    return OptionalLong.of(NEVER);
  }
}
