package dev.embassy.config.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Listeners served to one node group of Envoys: the Envoys whose bootstrap {@code node.cluster}
 * equals {@link #nodeGroup()}. Several gateways may share a node group.
 */
public record Gateway(String name, Map<String, String> labels, String nodeGroup, List<Listener> listeners)
    implements ConfigResource {
  public Gateway {
    labels = Absent.map(labels);
    listeners = Absent.list(listeners);
  }

  @Override
  public ResourceKind kind() {
    return ResourceKind.GATEWAY;
  }

  @Override
  public List<Reference> references() {
    java.util.ArrayList<Reference> refs = new java.util.ArrayList<>();
    for (int i = 0; i < listeners.size(); i++) {
      List<String> certs = listeners.get(i).tls().map(Tls::certificateRefs).orElse(List.of());
      for (int j = 0; j < certs.size(); j++) {
        if (certs.get(j) == null) {
          continue;
        }
        refs.add(new Reference(ResourceKind.CERTIFICATE, certs.get(j), "/listeners/" + i + "/tls/certificateRefs/" + j));
      }
    }
    return refs;
  }

  public enum Protocol { HTTP, HTTPS }

  public record Listener(String name, Integer port, Protocol protocol, List<String> hostnames, Optional<Tls> tls) {
    public Listener {
      protocol = Absent.or(protocol, Protocol.HTTP);
      hostnames = Absent.list(hostnames);
      tls = Absent.optional(tls);
    }
  }

  /** Server certificates for an HTTPS listener, chosen by SNI among {@code certificateRefs}. */
  public record Tls(List<String> certificateRefs) {
    public Tls {
      certificateRefs = Absent.list(certificateRefs);
    }
  }
}
