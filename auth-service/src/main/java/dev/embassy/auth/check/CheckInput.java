package dev.embassy.auth.check;

import java.util.Map;
import java.util.Optional;

/**
 * What auth-service looks at in one ext_authz Check: the per-route context extensions the control
 * plane set (embassy.policy, embassy.route), the request headers (lowercase names, as Envoy sends
 * them), the raw :path with its query, and, on a mutual-TLS listener, the principal of the client
 * certificate Envoy verified (its first URI SAN, else its subject; Envoy's source.principal).
 */
public record CheckInput(Map<String, String> contextExtensions, Map<String, String> headers, String path, Optional<String> clientPrincipal) {
  public static final String POLICY_KEY = "embassy.policy";
  public static final String ROUTE_KEY = "embassy.route";
  /** Set only by auth-service's own start-up warm-up Checks; see grpc.Warmup. */
  public static final String WARMUP_KEY = "embassy.warmup";

  public CheckInput(Map<String, String> contextExtensions, Map<String, String> headers, String path) {
    this(contextExtensions, headers, path, Optional.empty());
  }

  public boolean warmup() {
    return contextExtensions.containsKey(WARMUP_KEY);
  }

  public String route() {
    return contextExtensions.getOrDefault(ROUTE_KEY, "");
  }
}
