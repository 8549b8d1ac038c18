package dev.embassy.discovery;

import java.time.Instant;

/**
 * A service's Connect leaf certificate as the local Consul agent issued it: the PEM chain and its
 * private key, the SPIFFE ID it certifies ({@code spiffe://<trust domain>/ns/<ns>/dc/<dc>/svc/<service>})
 * and when it expires. The agent renews it before then, and a watch sees the new one.
 */
public record ConnectLeaf(String service, String spiffeId, String certificatePem, String privateKeyPem, Instant validBefore) {
  @Override
  public String toString() {
    // The key stays out of logs.
    return "ConnectLeaf[service=" + service + ", spiffeId=" + spiffeId + ", validBefore=" + validBefore + "]";
  }
}
