package dev.embassy.discovery;

import java.util.List;

/**
 * Consul Connect's CA roots: the trust domain ({@code <cluster id>.consul}) every SPIFFE ID of
 * the cluster carries, and the PEM certificates a Connect peer's chain must lead to. During a CA
 * rotation Consul lists the old root beside the new one, and both stay trusted until it drops it.
 */
public record ConnectRoots(String trustDomain, List<String> certificatesPem) {
  public ConnectRoots {
    certificatesPem = List.copyOf(certificatesPem);
  }
}
