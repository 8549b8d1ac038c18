package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.embassy.config.model.ClientIps;
import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.RouteRule;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Client IP allow and deny lists with Envoy's RBAC filter: one DENY policy refusing (403) every
 * client that is on the deny list or, when there is an allow list, not on it. A gateway
 * listener's lists apply to all its routes; a route's lists add to the listener's deny list and
 * replace its allow list. Principals match {@code remote_ip}, the client address after trusted
 * X-Forwarded-For hops, not the TCP peer.
 */
final class ClientIpsFeature implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.rbac";

  @Override
  public OnListener on(HttpListener listener) {
    Optional<ClientIps> gateway = listener.options().clientIps();
    boolean routes = listener.virtualHosts().stream().flatMap(h -> h.routes().stream()).anyMatch(r -> r.rule().clientIps().isPresent());
    if (gateway.isEmpty() && !routes) {
      return OnListener.UNUSED;
    }
    io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.Builder config = io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder();
    gateway.ifPresent(ips -> config.setRules(rules(ips)));
    HttpFilter filter = HttpFilter.newBuilder().setName(FILTER).setTypedConfig(Any.pack(config.build())).build();
    return new OnListener(List.of(filter), (rule, route) -> rule.rule().clientIps().ifPresent(ips ->
        route.putTypedPerFilterConfig(FILTER, Any.pack(RBACPerRoute.newBuilder()
            .setRbac(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder().setRules(rules(merged(gateway, ips)))).build()))));
  }

  /** A route's lists on top of its listener's: deny lists add up, the route's allow list (if any) replaces the listener's. */
  static ClientIps merged(Optional<ClientIps> gateway, ClientIps route) {
    Set<String> deny = new LinkedHashSet<>(gateway.map(ClientIps::deny).orElse(List.of()));
    deny.addAll(route.deny());
    List<String> allow = route.allow().isEmpty() ? gateway.map(ClientIps::allow).orElse(List.of()) : route.allow();
    return new ClientIps(allow, List.copyOf(deny));
  }

  private static RBAC rules(ClientIps ips) {
    List<Principal> refused = new ArrayList<>();
    if (!ips.deny().isEmpty()) {
      refused.add(anyOf(ips.deny()));
    }
    if (!ips.allow().isEmpty()) {
      refused.add(Principal.newBuilder().setNotId(anyOf(ips.allow())).build());
    }
    RBAC.Builder rbac = RBAC.newBuilder().setAction(RBAC.Action.DENY);
    if (!refused.isEmpty()) {
      rbac.putPolicies("client-ips", Policy.newBuilder()
          .addPermissions(Permission.newBuilder().setAny(true))
          .addPrincipals(refused.size() == 1 ? refused.getFirst() : Principal.newBuilder().setOrIds(Principal.Set.newBuilder().addAllIds(refused)).build())
          .build());
    }
    return rbac.build();
  }

  private static Principal anyOf(List<String> cidrs) {
    Principal.Set.Builder set = Principal.Set.newBuilder();
    for (String cidr : cidrs) {
      set.addIds(Principal.newBuilder().setRemoteIp(range(cidr)));
    }
    return Principal.newBuilder().setOrIds(set).build();
  }

  /** {@code 10.0.0.0/8}, or a bare address as the one-address range. */
  static CidrRange range(String cidr) {
    int slash = cidr.indexOf('/');
    String address = slash < 0 ? cidr : cidr.substring(0, slash);
    int prefix = slash < 0 ? (address.contains(":") ? 128 : 32) : Integer.parseInt(cidr.substring(slash + 1));
    return CidrRange.newBuilder().setAddressPrefix(address).setPrefixLen(UInt32Value.of(prefix)).build();
  }
}
