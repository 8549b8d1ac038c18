package dev.embassy.auth.policy;

import java.util.Map;

/**
 * Who is calling, once a credential checked out: the claims of a verified token, or for an API
 * key the claims {@code sub} = key name and {@code scope} = its scopes (so requirements, headers
 * and metadata treat both alike).
 */
public record Identity(Kind kind, Map<String, Object> claims) {
  public enum Kind { TOKEN, API_KEY }

  public String subject() {
    return claims.get("sub") instanceof String sub ? sub : "";
  }
}
