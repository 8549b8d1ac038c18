package dev.embassy.controlplane.cache;

import java.util.List;

/**
 * Which resources of a rejected response a NACK is about. Envoy names them in two ways: a
 * cluster or listener it could not add is listed as "Error adding/updating cluster(s) a: ...,
 * b: ..." (the same for listener(s)); a resource failing its proto constraints is printed whole
 * before the reason ("goo.gle/debugproto ... name: \"flaky\" ...: Proto constraint validation
 * failed (...)"), its own name as the one unindented name field. So a NACK of a whole first CDS
 * response blames the cluster it names, not all two thousand. A detail naming none of the
 * resources blames every resource the response brought.
 */
final class NackBlame {
  private NackBlame() {}

  static List<XdsResource> blamed(XdsType type, List<XdsResource> rejected, String detail) {
    String marker = switch (type) {
      case CLUSTER -> "cluster(s) ";
      case LISTENER -> "listener(s) ";
      default -> null;
    };
    if (detail == null) {
      return rejected;
    }
    int at = marker == null ? -1 : detail.indexOf(marker);
    String named = at < 0 ? null : detail.substring(at + marker.length());
    List<XdsResource> blamed = rejected.stream()
        .filter(r -> named != null && mentions(named, r.name()) || printed(detail, r.name())).toList();
    return blamed.isEmpty() ? rejected : blamed;
  }

  /** The resource printed as protobuf text before a constraint violation: its top-level name field. */
  private static boolean printed(String detail, String name) {
    return detail.contains("Proto constraint validation failed") && detail.contains("\nname: \"" + name + "\"\n");
  }

  /** Envoy writes each refused resource as "name: reason", joined by ", ". */
  private static boolean mentions(String named, String name) {
    return named.startsWith(name + ": ") || named.contains(", " + name + ": ");
  }
}
