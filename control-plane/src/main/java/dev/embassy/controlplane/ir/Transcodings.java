package dev.embassy.controlplane.ir;

import com.google.protobuf.ByteString;
import dev.embassy.config.model.ProtoDescriptorSet;
import dev.embassy.config.model.Route;
import dev.embassy.config.validate.ProtoSchema;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves rules' gRPC-JSON transcoding against the config's descriptor sets, each decoded once
 * per build however many rules use it. A set that does not decode cannot be stored (validation
 * refuses it), so here it resolves to nothing rather than failing the node group.
 */
final class Transcodings {
  private final Map<String, ProtoDescriptorSet> sets = new HashMap<>();
  private final Map<String, Optional<Decoded>> decoded = new HashMap<>();

  /** The set's bytes (one copy, held by the parsed schema) and its services, shared by every rule's IR. */
  private record Decoded(ByteString bytes, List<String> services) {}

  Transcodings(List<ProtoDescriptorSet> sets) {
    sets.forEach(s -> this.sets.put(s.name(), s));
  }

  Optional<GrpcTranscoding> of(Route.Rule rule) {
    return rule.filters().stream().flatMap(f -> f.grpcJsonTranscoding().stream()).findFirst().flatMap(t ->
        decoded(t.protoDescriptorSet()).map(set -> new GrpcTranscoding(t.protoDescriptorSet(), set.bytes(),
            t.services().isEmpty() ? set.services() : t.services(), t.autoMapping())));
  }

  private Optional<Decoded> decoded(String name) {
    return decoded.computeIfAbsent(name, n -> Optional.ofNullable(sets.get(n)).flatMap(set -> {
      try {
        ProtoSchema schema = ProtoSchema.parse(set.fileDescriptorSet());
        return Optional.of(new Decoded(schema.bytes(), schema.serviceNames()));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }));
  }
}
