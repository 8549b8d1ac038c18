package dev.embassy.config.model;

import java.util.List;
import java.util.Map;

/**
 * A compiled protobuf schema, as {@code protoc --include_imports --descriptor_set_out} writes it
 * (a serialized {@code google.protobuf.FileDescriptorSet}), base64-encoded. Routes that transcode
 * REST to gRPC name one: Envoy needs the services' messages and their {@code google.api.http}
 * options to map JSON and paths.
 */
public record ProtoDescriptorSet(String name, Map<String, String> labels, String fileDescriptorSet) implements ConfigResource {
  public ProtoDescriptorSet {
    labels = Absent.map(labels);
  }

  @Override
  public ResourceKind kind() {
    return ResourceKind.PROTO_DESCRIPTOR_SET;
  }

  @Override
  public List<Reference> references() {
    return List.of();
  }

  @Override
  public String toString() {
    // The base64 payload can be a megabyte; logs need the name, not the bytes.
    return "ProtoDescriptorSet[name=" + name + ", labels=" + labels + ", bytes=" + (fileDescriptorSet == null ? 0 : fileDescriptorSet.length() * 3 / 4) + "]";
  }
}
