package dev.embassy.admin.http;

import dev.embassy.admin.auth.Principal;
import dev.embassy.admin.auth.Role;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.Optional;

/**
 * One operation of the API. The list of endpoints is the API: the server registers exactly these,
 * and the OpenAPI drift test compares the published document against the same list.
 *
 * @param role the least role allowed to call it; empty for anonymous endpoints (health only)
 */
public record Endpoint(HandlerType method, String path, Optional<Role> role, Handler handler) {
  @FunctionalInterface
  public interface Handler {
    void handle(Context ctx, Principal caller) throws Exception;
  }

  static Endpoint of(HandlerType method, String path, Role role, Handler handler) {
    return new Endpoint(method, path, Optional.of(role), handler);
  }

  static Endpoint anonymous(HandlerType method, String path, Handler handler) {
    return new Endpoint(method, path, Optional.empty(), handler);
  }
}
