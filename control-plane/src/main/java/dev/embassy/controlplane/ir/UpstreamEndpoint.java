package dev.embassy.controlplane.ir;

/** One address of a cluster, with its load-balancing weight. */
public record UpstreamEndpoint(String address, int port, int weight) {}
