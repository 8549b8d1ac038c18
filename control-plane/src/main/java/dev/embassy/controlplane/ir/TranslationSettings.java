package dev.embassy.controlplane.ir;

import java.util.List;

/**
 * What the IR needs besides the stored config: the address Envoy listeners bind, and where
 * Envoy reaches auth-service (ext_authz) and ratelimit-service (RLS). Those two become clusters
 * of a node group only when one of its routes uses them.
 */
public record TranslationSettings(String listenerAddress, List<ServiceAddress> authService, List<ServiceAddress> rateLimitService) {
  public static final List<ServiceAddress> DEFAULT_AUTH_SERVICE = List.of(new ServiceAddress("127.0.0.1", 9191));
  public static final List<ServiceAddress> DEFAULT_RATELIMIT_SERVICE = List.of(new ServiceAddress("127.0.0.1", 8081));

  public TranslationSettings {
    authService = List.copyOf(authService);
    rateLimitService = List.copyOf(rateLimitService);
    if (authService.isEmpty() || rateLimitService.isEmpty()) {
      throw new IllegalArgumentException("auth and rate-limit services need at least one address each");
    }
  }

  /** Default service addresses (the ports every part of Embassy agrees on), listeners on {@code listenerAddress}. */
  public static TranslationSettings defaults(String listenerAddress) {
    return new TranslationSettings(listenerAddress, DEFAULT_AUTH_SERVICE, DEFAULT_RATELIMIT_SERVICE);
  }
}
