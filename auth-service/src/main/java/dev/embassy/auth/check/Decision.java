package dev.embassy.auth.check;

import java.util.List;
import java.util.Map;

/** What to tell Envoy about one request. Mapped to a CheckResponse only in the gRPC layer. */
public sealed interface Decision {
  /** The policy's name for metrics ("none" or "unknown" when there was no usable one). */
  String policy();

  /** Short metric reason. */
  String reason();

  /**
   * Let the request through.
   *
   * @param setHeaders headers to set, overwriting any the client sent
   * @param removeHeaders headers to remove (identity headers without a claim, the credential's header when stripped)
   * @param removeQueryParameters query parameters to remove (the token's, when stripped)
   * @param metadata claims as text for Envoy's dynamic metadata (rate limits per user)
   * @param dryRunDenial set when a dry-run policy would have denied: what it would have said
   */
  record Allow(String policy, String reason, Map<String, String> setHeaders, List<String> removeHeaders,
      List<String> removeQueryParameters, Map<String, String> metadata, java.util.Optional<Deny> dryRunDenial) implements Decision {
    public Allow {
      setHeaders = Map.copyOf(setHeaders);
      removeHeaders = List.copyOf(removeHeaders);
      removeQueryParameters = List.copyOf(removeQueryParameters);
      metadata = Map.copyOf(metadata);
    }
  }

  /**
   * Refuse the request.
   *
   * @param status 401 (no or bad credential), 403 (insufficient scope or no policy on the route) or
   *     503 (the named policy is not loaded)
   * @param error RFC 6750 error code: empty when no credential was sent, invalid_token, insufficient_scope
   * @param description error_description and the body's reason; never token content
   * @param requiredScopes for insufficient_scope, the scope attribute
   */
  record Deny(String policy, String reason, int status, String error, String description, List<String> requiredScopes)
      implements Decision {
    public Deny {
      requiredScopes = List.copyOf(requiredScopes);
    }
  }
}
