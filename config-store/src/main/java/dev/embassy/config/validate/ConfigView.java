package dev.embassy.config.validate;

import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ResourceKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What cross-resource validation needs to see of the config a write would produce. */
public interface ConfigView {
  boolean exists(ResourceKind kind, String name);

  Optional<Gateway> gateway(String name);

  /** The resource as it will be after the write, if it exists. */
  Optional<ConfigResource> find(ResourceKind kind, String name);

  /**
   * The routes that will refer to {@code kind/name} after the write, other than the one being
   * written: a change to what they use must keep working for them.
   */
  List<dev.embassy.config.model.Route> routesReferring(ResourceKind kind, String name);

  /**
   * The gateways of {@code nodeGroup} other than {@code gateway}, by name: they are served to the
   * same Envoys, so their listeners must not take the same ports.
   */
  List<Gateway> nodeGroupPeers(String nodeGroup, String gateway);

  /**
   * For each of {@code keys} already claimed on {@code gateway} by a route other than
   * {@code route}, that route's name (see {@link RouteClaims}). A conflict to report.
   */
  Map<String, String> conflictingClaims(String gateway, java.util.Collection<String> keys, String route);

  /**
   * The rate-limit policy other than {@code policy} that uses {@code domain}, if any. A domain
   * selects the limits ratelimit-service applies, so it must name exactly one policy.
   */
  Optional<String> rateLimitDomainOwner(String domain, String policy);
}
