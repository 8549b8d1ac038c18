package dev.embassy.config.store;

import dev.embassy.config.codec.ResourceCodec;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.ResourceKind;
import java.util.Optional;

/**
 * One resource's part in a revision: its state after the change and that state's canonical JSON
 * (both empty on delete). The JSON is computed once: a 10,000-route apply writes it to the current
 * table and to history, and compared it with the stored one before.
 */
public record Change(ResourceKind kind, String name, Op op, Optional<ConfigResource> after, Optional<String> spec, Optional<String> secret) {
  public enum Op {
    create, update, delete
  }

  static Change upsert(Op op, ConfigResource resource, Optional<String> secret) {
    return upsert(op, resource, ResourceCodec.spec(resource), secret);
  }

  /** With {@code spec} already computed as {@code ResourceCodec.spec(resource)}. */
  static Change upsert(Op op, ConfigResource resource, String spec, Optional<String> secret) {
    return new Change(resource.kind(), resource.name(), op, Optional.of(resource), Optional.of(spec), secret);
  }

  static Change delete(ResourceKind kind, String name) {
    return new Change(kind, name, Op.delete, Optional.empty(), Optional.empty(), Optional.empty());
  }
}
