package dev.embassy.config.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.embassy.config.model.Certificate;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.ResourceKind;
import java.util.Optional;

/** Converts resources to and from the canonical JSON stored in {@code config_resource.spec}. */
public final class ResourceCodec {
  private ResourceCodec() {}

  /** Canonical JSON without secrets: equal resources give equal strings. */
  public static String spec(ConfigResource resource) {
    ConfigResource public_ = resource instanceof Certificate certificate ? certificate.withoutKey() : resource;
    try {
      return ConfigJson.json().writeValueAsString(public_);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + resource.kind() + "/" + resource.name(), e);
    }
  }

  /** The secret stored beside the spec: a certificate's private key, if given. */
  public static Optional<String> secret(ConfigResource resource) {
    return resource instanceof Certificate certificate ? certificate.privateKey() : Optional.empty();
  }

  public static ConfigResource read(ResourceKind kind, String spec) {
    try {
      return ConfigJson.json().readValue(spec, kind.type());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored " + kind + " does not parse; was the schema changed without a migration?", e);
    }
  }
}
