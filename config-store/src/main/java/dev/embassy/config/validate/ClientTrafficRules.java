package dev.embassy.config.validate;

import dev.embassy.config.model.ClientIps;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.Route;
import java.time.Duration;
import java.util.List;

/**
 * The settings about clients shared by gateway listeners and route rules (client IP lists,
 * trusted hops, listener timeouts) and the rule's session affinity, held to what Envoy accepts.
 */
final class ClientTrafficRules {
  private static final int MAX_CIDRS = 256;
  /** More proxies in front than this is a misconfiguration, not a topology. */
  private static final int MAX_TRUSTED_HOPS = 10;
  private static final Duration MAX_LISTENER_TIMEOUT = Duration.ofDays(1);

  private ClientTrafficRules() {}

  static void clientIps(Violations v, ClientIps ips) {
    if (ips.allow().isEmpty() && ips.deny().isEmpty()) {
      v.here("needs allow or deny");
    }
    cidrs(v, "allow", ips.allow());
    cidrs(v, "deny", ips.deny());
  }

  private static void cidrs(Violations v, String field, List<String> cidrs) {
    Checks.maxSize(v, field, cidrs, MAX_CIDRS);
    for (int i = 0; i < cidrs.size(); i++) {
      String cidr = cidrs.get(i);
      if (cidr == null || !cidr(cidr)) {
        v.at(field).add(Integer.toString(i), "must be an IP address or a CIDR block such as 10.0.0.0/8 or 2001:db8::/32");
      }
    }
  }

  /** An address, optionally with a prefix length within its family (CidrRange.prefix_len). */
  private static boolean cidr(String cidr) {
    int slash = cidr.indexOf('/');
    String address = slash < 0 ? cidr : cidr.substring(0, slash);
    if (!ClusterRules.ipLiteral(address)) {
      return false;
    }
    if (slash < 0) {
      return true;
    }
    String prefix = cidr.substring(slash + 1);
    if (!prefix.matches("[0-9]{1,3}")) {
      return false;
    }
    return Integer.parseInt(prefix) <= (address.contains(":") ? 128 : 32);
  }

  static void listener(Violations v, Gateway.Listener listener) {
    listener.clientAddress().ifPresent(address -> Checks.range(v.at("clientAddress"), "trustedHops", address.trustedHops(), 0, MAX_TRUSTED_HOPS));
    listener.clientIps().ifPresent(ips -> clientIps(v.at("clientIps"), ips));
    listener.timeouts().ifPresent(timeouts -> {
      Violations at = v.at("timeouts");
      timeouts.idle().ifPresent(t -> Checks.duration(at, "idle", t, MAX_LISTENER_TIMEOUT));
      timeouts.streamIdle().ifPresent(t -> Checks.duration(at, "streamIdle", t, MAX_LISTENER_TIMEOUT));
      timeouts.requestHeaders().ifPresent(t -> Checks.duration(at, "requestHeaders", t, Duration.ofMinutes(10)));
    });
  }

  static void sessionAffinity(Violations v, Route.SessionAffinity affinity) {
    if (!Checks.required(v, "type", affinity.type())) {
      return;
    }
    switch (affinity.type()) {
      case Header -> {
        if (Checks.required(v, "header", affinity.header().orElse(null))) {
          Checks.headerName(v, "header", affinity.header().get());
        }
      }
      case Cookie -> {
        if (Checks.required(v, "cookie", affinity.cookie().orElse(null))) {
          Route.AffinityCookie cookie = affinity.cookie().get();
          Violations at = v.at("cookie");
          // A cookie name is an RFC 6265 token; Envoy sets it as given.
          Checks.token(at, "name", cookie.name());
          Checks.duration(at, "ttl", cookie.ttl(), Duration.ofDays(365));
          cookie.path().ifPresent(path -> {
            if (!path.matches("/[\\x21-\\x3a\\x3c-\\x7e]*")) {
              at.add("path", "must start with / and hold no spaces, control characters or ';'");
            }
          });
        }
      }
      case SourceIP -> { }
    }
    if (affinity.type() != Route.AffinityType.Header && affinity.header().isPresent()) {
      v.add("header", "only a Header affinity takes header");
    }
    if (affinity.type() != Route.AffinityType.Cookie && affinity.cookie().isPresent()) {
      v.add("cookie", "only a Cookie affinity takes cookie");
    }
  }
}
