package dev.embassy.controlplane.ir;

import java.util.List;

/**
 * A sidecar's Consul Connect identity as the translator needs it: the leaf certificate Consul
 * issued for {@code service} (and its key), the SPIFFE ID it certifies, and the CA roots of the
 * trust domain that peers' certificates must lead to.
 */
public record MeshIdentity(String service, String spiffeId, String certificatePem, String privateKeyPem, String trustDomain,
    List<String> rootsPem) {
  private static final String SERVICE_SEGMENT = "/svc/";

  public MeshIdentity {
    rootsPem = List.copyOf(rootsPem);
    if (!spiffeId.startsWith("spiffe://") || !spiffeId.contains(SERVICE_SEGMENT)) {
      throw new IllegalArgumentException("not a Consul service SPIFFE ID: " + spiffeId);
    }
  }

  /**
   * The SPIFFE ID {@code other} has in this identity's trust domain, namespace and datacenter:
   * Consul's {@code spiffe://<trust domain>/ns/<ns>/dc/<dc>/svc/<service>} with the service swapped.
   */
  public String spiffeIdOf(String other) {
    return spiffeId.substring(0, spiffeId.lastIndexOf(SERVICE_SEGMENT) + SERVICE_SEGMENT.length()) + other;
  }

  /** What every service's SPIFFE ID in the trust domain starts with. */
  public String trustDomainPrefix() {
    return "spiffe://" + trustDomain + "/";
  }

  @Override
  public String toString() {
    return "MeshIdentity[service=" + service + ", spiffeId=" + spiffeId + ", roots=" + rootsPem.size() + "]";
  }
}
