package dev.embassy.config.store;

import dev.embassy.config.codec.ResourceCodec;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.ResourceKind;
import java.util.Optional;

/** One resource's part in a revision: its state after the change (empty on delete). */
public record Change(ResourceKind kind, String name, Op op, Optional<ConfigResource> after, Optional<String> secret) {
  public enum Op {
    create, update, delete
  }

  static Change upsert(Op op, ConfigResource resource, Optional<String> secret) {
    return new Change(resource.kind(), resource.name(), op, Optional.of(resource), secret);
  }

  static Change delete(ResourceKind kind, String name) {
    return new Change(kind, name, Op.delete, Optional.empty(), Optional.empty());
  }

  String spec() {
    return after.map(ResourceCodec::spec).orElse(null);
  }
}
