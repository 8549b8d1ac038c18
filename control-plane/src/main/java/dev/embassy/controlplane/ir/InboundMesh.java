package dev.embassy.controlplane.ir;

/** A sidecar inbound listener under Consul Connect: the identity it presents and the intentions it enforces. */
public record InboundMesh(MeshIdentity identity, MeshIntentions intentions) {}
