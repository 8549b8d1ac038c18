package dev.embassy.controlplane.xds;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The node group a client certificate is issued for: its URI SAN
 * {@code spiffe://<trust domain>/node-group/<group>}. A SPIFFE ID rather than the CN because a
 * SPIFFE-issuing CA (SPIRE, cert-manager's csi-driver-spiffe, Consul Connect) can mint it as is,
 * and a URI SAN cannot be confused with a host name the way a CN can.
 */
public final class NodeGroupSpiffeId {
  /** The path segment before the node group's name. */
  public static final String PATH = "/node-group/";
  /** X.509 GeneralName tag of a uniformResourceIdentifier (RFC 5280, 4.2.1.6). */
  private static final int URI_NAME = 6;

  private NodeGroupSpiffeId() {}

  /** The SPIFFE ID naming {@code nodeGroup} in {@code trustDomain}. */
  public static String of(String trustDomain, String nodeGroup) {
    return "spiffe://" + trustDomain + PATH + nodeGroup;
  }

  /**
   * The node group {@code certificate} names in {@code trustDomain}; empty when it has no such
   * URI SAN, or more than one (SPIFFE allows exactly one SPIFFE ID per certificate).
   */
  public static Optional<String> nodeGroup(X509Certificate certificate, String trustDomain) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return Optional.empty();
    }
    if (names == null) {
      return Optional.empty();
    }
    String prefix = "spiffe://" + trustDomain + PATH;
    Optional<String> found = Optional.empty();
    for (List<?> name : names) {
      if (name.size() < 2 || !(name.get(0) instanceof Integer tag) || tag != URI_NAME || !(name.get(1) instanceof String uri)) {
        continue;
      }
      if (!uri.startsWith("spiffe://")) {
        continue;
      }
      if (found.isPresent()) {
        return Optional.empty();
      }
      String group = uri.startsWith(prefix) ? uri.substring(prefix.length()) : "";
      if (group.isEmpty() || group.contains("/")) {
        return Optional.empty();
      }
      found = Optional.of(group);
    }
    return found;
  }
}
