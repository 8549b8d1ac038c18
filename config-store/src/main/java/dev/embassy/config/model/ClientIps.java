package dev.embassy.config.model;

import java.util.List;

/**
 * Which client addresses may use a gateway listener or a route, as CIDR blocks (a bare address is
 * a /32 or /128). With {@code allow} set, only those; {@code deny} always wins. The client address
 * is the TCP peer's, or with trusted hops the address that many proxies in front reported in
 * X-Forwarded-For (see {@link Gateway.ClientAddress}).
 */
public record ClientIps(List<String> allow, List<String> deny) {
  public ClientIps {
    allow = Absent.list(allow);
    deny = Absent.list(deny);
  }
}
