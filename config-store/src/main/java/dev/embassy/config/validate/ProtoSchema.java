package dev.embassy.config.validate;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An uploaded descriptor set, decoded and linked the way Envoy's gRPC-JSON transcoder links it:
 * every import must be in the set (Envoy has no other source of files), and each method's
 * {@code google.api.http} rules are read from its options.
 */
public final class ProtoSchema {
  /**
   * Decoded. Envoy gets the set inside the listener config of every proxy of the group, and its
   * base64 must fit in one admin API body (1 MiB).
   */
  public static final int MAX_BYTES = 512 * 1024;

  private static final ExtensionRegistry HTTP_OPTIONS = ExtensionRegistry.newInstance();
  private static final Map<String, ProtoSchema> RECENT = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, ProtoSchema> eldest) {
      return size() > 16;
    }
  };

  static {
    AnnotationsProto.registerAllExtensions(HTTP_OPTIONS);
  }

  private final com.google.protobuf.ByteString bytes;
  private final Map<String, ServiceDescriptor> services;

  private ProtoSchema(com.google.protobuf.ByteString bytes, Map<String, ServiceDescriptor> services) {
    this.bytes = bytes;
    this.services = services;
  }

  /**
   * Decodes and links {@code base64}. Parsed schemas are remembered by their text, because every
   * write of a route that uses one checks it again.
   *
   * @throws IllegalArgumentException with a message fit for the operator
   */
  public static ProtoSchema parse(String base64) {
    synchronized (RECENT) {
      ProtoSchema known = RECENT.get(base64);
      if (known != null) {
        return known;
      }
    }
    ProtoSchema parsed = decode(base64);
    synchronized (RECENT) {
      RECENT.put(base64, parsed);
    }
    return parsed;
  }

  private static ProtoSchema decode(String base64) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("is not base64 (RFC 4648, standard alphabet, with padding)");
    }
    if (bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException("decodes to " + bytes.length + " bytes; at most " + MAX_BYTES);
    }
    FileDescriptorSet set;
    try {
      set = FileDescriptorSet.parseFrom(bytes, HTTP_OPTIONS);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("is not a serialized google.protobuf.FileDescriptorSet");
    }
    Map<String, FileDescriptorProto> byName = new HashMap<>();
    for (FileDescriptorProto file : set.getFileList()) {
      if (byName.put(file.getName(), file) != null) {
        throw new IllegalArgumentException("contains the file " + file.getName() + " twice");
      }
    }
    Map<String, FileDescriptor> linked = new HashMap<>();
    Map<String, ServiceDescriptor> services = new LinkedHashMap<>();
    for (FileDescriptorProto file : set.getFileList()) {
      for (ServiceDescriptor service : link(file.getName(), byName, linked, new ArrayList<>()).getServices()) {
        services.put(service.getFullName(), service);
      }
    }
    if (services.isEmpty()) {
      throw new IllegalArgumentException("defines no service");
    }
    return new ProtoSchema(com.google.protobuf.ByteString.copyFrom(bytes), Map.copyOf(services));
  }

  private static FileDescriptor link(String name, Map<String, FileDescriptorProto> files, Map<String, FileDescriptor> linked, List<String> path) {
    FileDescriptor done = linked.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptorProto file = files.get(name);
    if (file == null) {
      throw new IllegalArgumentException("lacks " + name + ", imported by " + path.getLast()
          + " (build the set with protoc --include_imports)");
    }
    if (path.contains(name)) {
      throw new IllegalArgumentException("has an import cycle through " + name);
    }
    path.add(name);
    List<FileDescriptor> dependencies = new ArrayList<>();
    for (String dependency : file.getDependencyList()) {
      dependencies.add(link(dependency, files, linked, path));
    }
    path.removeLast();
    try {
      FileDescriptor descriptor = FileDescriptor.buildFrom(file, dependencies.toArray(FileDescriptor[]::new));
      linked.put(name, descriptor);
      return descriptor;
    } catch (DescriptorValidationException e) {
      throw new IllegalArgumentException("does not link: " + e.getMessage());
    }
  }

  /** The serialized set, as Envoy's {@code proto_descriptor_bin} takes it. */
  public com.google.protobuf.ByteString bytes() {
    return bytes;
  }

  /** Fully qualified names of every service the set defines, sorted. */
  public List<String> serviceNames() {
    return services.keySet().stream().sorted().toList();
  }

  public Optional<ServiceDescriptor> service(String fullName) {
    return Optional.ofNullable(services.get(fullName));
  }

  /** The method's HTTP rule and its additional bindings, in order; empty when it has none. */
  static List<HttpRule> httpRules(MethodDescriptor method) {
    if (!method.getOptions().hasExtension(AnnotationsProto.http)) {
      return List.of();
    }
    HttpRule rule = method.getOptions().getExtension(AnnotationsProto.http);
    List<HttpRule> rules = new ArrayList<>();
    rules.add(rule);
    rules.addAll(rule.getAdditionalBindingsList());
    return rules;
  }
}
