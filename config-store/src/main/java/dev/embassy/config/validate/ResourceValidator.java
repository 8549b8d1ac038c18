package dev.embassy.config.validate;

import dev.embassy.config.model.AuthPolicy;
import dev.embassy.config.model.Certificate;
import dev.embassy.config.model.Cluster;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ProtoDescriptorSet;
import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.model.Route;
import java.util.List;

/**
 * Checks one resource on its own: everything Envoy would NACK or the model forbids that needs no
 * other resource to decide. Cross-resource rules (references, conflicting routes) live in
 * {@link ConfigValidator}.
 */
public final class ResourceValidator {
  private ResourceValidator() {}

  public static List<FieldError> validate(ConfigResource resource) {
    Violations v = new Violations();
    validate(resource, v);
    return v.errors();
  }

  static void validate(ConfigResource resource, Violations v) {
    Checks.name(v, "name", resource.name());
    Checks.labels(v, resource.labels());
    switch (resource) {
      case Gateway gateway -> GatewayRules.check(gateway, v);
      case Route route -> RouteRules.check(route, v);
      case Cluster cluster -> ClusterRules.check(cluster, v);
      case AuthPolicy policy -> AuthPolicyRules.check(policy, v);
      case RateLimitPolicy policy -> RateLimitPolicyRules.check(policy, v);
      case Certificate certificate -> CertificateRules.check(certificate, v);
      case ProtoDescriptorSet set -> GrpcTranscodingRules.check(set, v);
    }
  }
}
