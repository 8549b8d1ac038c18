package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.InboundMesh;
import dev.embassy.controlplane.ir.MeshIntentions;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Consul intentions as Envoy RBAC on a Connect sidecar's inbound listener, as Consul's docs
 * recommend: the caller is the SPIFFE ID of its verified client certificate
 * ({@code authenticated.principal_name}, the URI SAN). The filter itself carries no rules; each
 * route carries them per route, so a changed intention re-sends the RouteConfiguration (RDS)
 * and never the Listener, which would drain its connections.
 *
 * <p>Intentions come in Consul's precedence order and the first that names the caller decides;
 * Consul's default policy decides for the rest. That is rendered as one policy of the opposite
 * action to the default (deny intentions under default allow, allow intentions under default
 * deny), each intention's principal excluding the callers an earlier intention of the other action
 * already decided. An empty DENY policy set denies nobody; an empty ALLOW set allows nobody.
 */
final class IntentionsFeature implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.rbac";
  static final String POLICY = "consul-intentions";

  @Override
  public OnListener on(HttpListener listener) {
    if (listener.mesh().isEmpty()) {
      return OnListener.UNUSED;
    }
    InboundMesh mesh = listener.mesh().get();
    HttpFilter filter = HttpFilter.newBuilder().setName(FILTER).setTypedConfig(Any.pack(RBAC.getDefaultInstance())).build();
    Any perRoute = Any.pack(RBACPerRoute.newBuilder().setRbac(RBAC.newBuilder().setRules(rules(mesh))).build());
    return new OnListener(List.of(filter), (rule, route) -> route.putTypedPerFilterConfig(FILTER, perRoute));
  }

  static io.envoyproxy.envoy.config.rbac.v3.RBAC rules(InboundMesh mesh) {
    MeshIntentions intentions = mesh.intentions();
    boolean decidingAllow = !intentions.defaultAllow();
    List<Principal> principals = new ArrayList<>();
    List<Principal> decidedOtherwise = new ArrayList<>();
    for (MeshIntentions.Rule rule : intentions.rules()) {
      Principal caller = caller(mesh, rule.source());
      if (rule.allow() == decidingAllow) {
        principals.add(decidedOtherwise.isEmpty() ? caller : Principal.newBuilder().setAndIds(Principal.Set.newBuilder()
            .addIds(caller)
            .addIds(Principal.newBuilder().setNotId(Principal.newBuilder().setOrIds(Principal.Set.newBuilder().addAllIds(decidedOtherwise)))))
            .build());
      } else {
        decidedOtherwise.add(caller);
      }
      if (rule.wildcard()) {
        // Every caller has been decided; later intentions never apply.
        break;
      }
    }
    io.envoyproxy.envoy.config.rbac.v3.RBAC.Builder rbac = io.envoyproxy.envoy.config.rbac.v3.RBAC.newBuilder()
        .setAction(decidingAllow ? io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.ALLOW : io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.DENY);
    if (!principals.isEmpty()) {
      rbac.putPolicies(POLICY, Policy.newBuilder().addPermissions(Permission.newBuilder().setAny(true)).addAllPrincipals(principals).build());
    }
    return rbac.build();
  }

  private static Principal caller(InboundMesh mesh, String source) {
    StringMatcher name = "*".equals(source)
        ? StringMatcher.newBuilder().setPrefix(mesh.identity().trustDomainPrefix()).build()
        : StringMatcher.newBuilder().setExact(mesh.identity().spiffeIdOf(source)).build();
    return Principal.newBuilder().setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(name)).build();
  }
}
