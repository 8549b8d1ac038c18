package dev.embassy.controlplane.ir;

import java.util.Optional;

/**
 * Consul Connect state from outside the store, fed in like {@link EndpointSource}: identities
 * and intentions. Empty until Consul has answered; then the last good answer, also while Consul
 * is unreachable.
 */
public interface MeshSource {
  /** The service's leaf with the CA roots; empty until both are known. */
  Optional<MeshIdentity> identity(String service);

  /** Who may call {@code destination}; empty until the intentions are known. */
  Optional<MeshIntentions> intentions(String destination);

  /** No Consul Connect: no identity is ever known, so Connect parts stay closed. */
  MeshSource NONE = new MeshSource() {
    @Override
    public Optional<MeshIdentity> identity(String service) {
      return Optional.empty();
    }

    @Override
    public Optional<MeshIntentions> intentions(String destination) {
      return Optional.empty();
    }
  };
}
