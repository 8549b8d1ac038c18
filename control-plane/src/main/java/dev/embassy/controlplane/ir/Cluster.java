package dev.embassy.controlplane.ir;

import java.time.Duration;
import java.util.List;

/** A backend service and its current endpoints. */
public record Cluster(String name, Duration connectTimeout, List<Endpoint> endpoints) {
  public Cluster {
    Names.require("cluster name", name);
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("cluster " + name + ": connect timeout must be positive");
    }
    endpoints = List.copyOf(endpoints);
  }
}
