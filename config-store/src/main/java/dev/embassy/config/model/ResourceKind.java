package dev.embassy.config.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * The kinds of config resource, with the names they go by in URLs and declarative documents.
 * Declaration order is dependency order: a kind only references kinds declared before it, which
 * is the order an apply creates in (and deletes in reverse).
 */
public enum ResourceKind {
  CERTIFICATE("certificates", "certificates", Certificate.class),
  PROTO_DESCRIPTOR_SET("proto-descriptor-sets", "protoDescriptorSets", ProtoDescriptorSet.class),
  CLUSTER("clusters", "clusters", Cluster.class),
  AUTH_POLICY("auth-policies", "authPolicies", AuthPolicy.class),
  RATELIMIT_POLICY("ratelimit-policies", "rateLimitPolicies", RateLimitPolicy.class),
  GATEWAY("gateways", "gateways", Gateway.class),
  ROUTE("routes", "routes", Route.class);

  private final String pathSegment;
  private final String documentKey;
  private final Class<? extends ConfigResource> type;

  ResourceKind(String pathSegment, String documentKey, Class<? extends ConfigResource> type) {
    this.pathSegment = pathSegment;
    this.documentKey = documentKey;
    this.type = type;
  }

  /** The collection name under /api/v1, e.g. "auth-policies". */
  public String pathSegment() {
    return pathSegment;
  }

  /** The key of this kind's list in a declarative config document, e.g. "authPolicies". */
  public String documentKey() {
    return documentKey;
  }

  public Class<? extends ConfigResource> type() {
    return type;
  }

  public static Optional<ResourceKind> byPathSegment(String segment) {
    return Arrays.stream(values()).filter(kind -> kind.pathSegment.equals(segment)).findFirst();
  }

  public static Optional<ResourceKind> byDocumentKey(String key) {
    return Arrays.stream(values()).filter(kind -> kind.documentKey.equals(key)).findFirst();
  }
}
