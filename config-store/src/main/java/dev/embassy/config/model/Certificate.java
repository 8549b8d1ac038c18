package dev.embassy.config.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A PEM certificate chain and its private key, served to Envoy over SDS. The key is write-only:
 * reads and dumps never contain it, and a write without it keeps the stored one.
 */
public record Certificate(
    String name,
    Map<String, String> labels,
    String certificateChain,
    @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) Optional<String> privateKey)
    implements ConfigResource {
  public Certificate {
    labels = Absent.map(labels);
    privateKey = Absent.optional(privateKey);
  }

  @Override
  public ResourceKind kind() {
    return ResourceKind.CERTIFICATE;
  }

  @Override
  public List<Reference> references() {
    return List.of();
  }

  /** The same certificate without key material, as reads return it. */
  public Certificate withoutKey() {
    return new Certificate(name, labels, certificateChain, Optional.empty());
  }

  @Override
  public String toString() {
    // Records print every component; a key must never reach a log through toString.
    return "Certificate[name=" + name + ", labels=" + labels + ", privateKey=" + (privateKey.isPresent() ? "<redacted>" : "<none>") + "]";
  }
}
