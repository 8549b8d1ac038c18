package dev.embassy.discovery;

/**
 * Registers this process's own service instances (e.g. ratelimit-service nodes) with the local
 * registry agent. Failures throw {@link DiscoveryException}.
 */
public interface ServiceRegistry {
  /** Registers or replaces the instance {@code r.id()}, with its health check. */
  void register(Registration r);

  /** Removes the instance and its check; removing an unknown id is not an error. */
  void deregister(String serviceId);

  /**
   * Sets the status of the instance's {@link HealthCheck.Ttl} check; a TTL check turns critical by
   * itself when not updated within its TTL.
   */
  void updateTtl(String serviceId, CheckStatus status, String note);
}
