package dev.embassy.admin.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque list cursors. Clients must not build them, so the encoding can change; today a cursor
 * is the last name of the previous page, base64url-encoded with a version prefix.
 */
final class Cursors {
  private static final String PREFIX = "v1:";

  private Cursors() {}

  static String encode(String lastName) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + lastName).getBytes(StandardCharsets.UTF_8));
  }

  /** The name to continue after; "" for the first page. */
  static String decode(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return "";
    }
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      if (decoded.startsWith(PREFIX) && decoded.length() < 300) {
        return decoded.substring(PREFIX.length());
      }
    } catch (IllegalArgumentException e) {
      // Falls through to the error below.
    }
    throw new ApiProblem(400, "Bad request", "The cursor is not one this API issued");
  }
}
