package dev.embassy.admin.http;

import dev.embassy.admin.auth.AdminTokens;
import dev.embassy.admin.auth.Principal;
import dev.embassy.admin.auth.Role;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/** Bearer-token authentication and role checks (RFC 6750 challenges on failure). */
final class Authentication {
  private final AdminTokens tokens;

  Authentication(AdminTokens tokens) {
    this.tokens = tokens;
  }

  Principal require(Context ctx, Role role) {
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      throw new ApiProblem(401, "Unauthorized", "This endpoint needs an admin API token: Authorization: Bearer <token>",
          List.of(), Map.of("WWW-Authenticate", "Bearer realm=\"embassy\""));
    }
    if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiProblem(401, "Unauthorized", "Only Bearer tokens are accepted",
          List.of(), Map.of("WWW-Authenticate", "Bearer realm=\"embassy\", error=\"invalid_request\""));
    }
    Principal principal = tokens.verify(header.substring(7).strip())
        .orElseThrow(() -> new ApiProblem(401, "Unauthorized", "The token is unknown or revoked",
            List.of(), Map.of("WWW-Authenticate", "Bearer realm=\"embassy\", error=\"invalid_token\"")));
    if (!principal.role().allows(role)) {
      throw new ApiProblem(403, "Forbidden", "This needs the " + role + " role; the token of " + principal.owner() + " has " + principal.role());
    }
    return principal;
  }
}
