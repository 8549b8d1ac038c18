package dev.embassy.controlplane.ir;

/** A Connect cluster's mTLS: the caller's identity it presents, and the SPIFFE ID the peer must have. */
public record UpstreamMesh(MeshIdentity identity, String peerSpiffeId) {}
