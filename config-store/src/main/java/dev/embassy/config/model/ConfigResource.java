package dev.embassy.config.model;

import java.util.List;
import java.util.Map;

/**
 * A named, labelled piece of gateway configuration, stored as one row and versioned by config
 * revision. Every kind lists the resources it references so the store can keep references intact.
 */
public sealed interface ConfigResource
    permits Gateway, Route, Cluster, AuthPolicy, RateLimitPolicy, Certificate, ProtoDescriptorSet {

  String name();

  Map<String, String> labels();

  ResourceKind kind();

  /** The resources this one points at, each with the JSON Pointer of the field that names it. */
  List<Reference> references();
}
