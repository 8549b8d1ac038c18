package dev.embassy.controlplane.ir;

import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.model.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a sidecar gateway adds to its node group: the inbound listener in front of the app, the
 * cluster that is the app itself, and the default per-service routes of the outbound listener.
 */
final class SidecarListeners {
  /** The app beside the sidecar, as a cluster; embassy-* names are reserved, so it cannot collide. */
  static final String LOCAL_APP_PREFIX = "embassy-local-";

  private SidecarListeners() {}

  /**
   * Envoy in front of the app: every request, whatever its Host, to the app on loopback, under
   * the inbound auth and rate-limit policies, and under Connect mTLS and intentions with a mesh.
   */
  static HttpListener inbound(Gateway gateway, String address, Optional<RateLimitPolicy> rateLimit, Optional<InboundMesh> mesh) {
    Gateway.Inbound inbound = gateway.sidecar().orElseThrow().inbound();
    String name = gateway.name() + "-inbound";
    Route.Rule rule = everything(localApp(gateway).name());
    RouteRule route = new RouteRule(name + "/app", name, rule.matches().getFirst(), rule, inbound.authPolicy(), rateLimit);
    return new HttpListener(name, address, inbound.port(), List.of(new VirtualHost(name + "/*", List.of("*"), List.of(route))), List.of(),
        new HttpListener.Options(0, Optional.empty(), Optional.empty(), gateway.accessLog(), gateway.compression()), Optional.empty(), mesh);
  }

  static UpstreamCluster localApp(Gateway gateway) {
    int port = gateway.sidecar().orElseThrow().inbound().appPort();
    // The app speaks whatever it speaks; HTTP/1.1 is what every app accepts.
    return NodeGroupBuilder.staticCluster(LOCAL_APP_PREFIX + gateway.name(), List.of(new ServiceAddress("127.0.0.1", port)), false);
  }

  /**
   * The outbound listener: the routes attached to it, plus, for each service it may call, a
   * virtual host named after the service that sends everything else to it. The defaults come last
   * in their virtual host, so an attached route (a canary split, a path) always wins.
   */
  static HttpListener outbound(HttpListener attached, List<String> services) {
    List<VirtualHost> hosts = new ArrayList<>();
    Set<String> defaulted = new TreeSet<>(services);
    for (VirtualHost host : attached.virtualHosts()) {
      List<RouteRule> rules = new ArrayList<>(host.routes());
      for (String domain : host.domains()) {
        if (defaulted.remove(domain)) {
          rules.add(fallback(attached.name(), domain));
        }
      }
      hosts.add(new VirtualHost(host.name(), host.domains(), rules));
    }
    for (String service : defaulted) {
      hosts.add(new VirtualHost(attached.name() + "/" + service, List.of(service), List.of(fallback(attached.name(), service))));
    }
    hosts.sort(java.util.Comparator.comparing(VirtualHost::name));
    return new HttpListener(attached.name(), attached.address(), attached.port(), hosts, attached.certificates(), attached.options(),
        attached.clientVerification(), attached.mesh());
  }

  private static RouteRule fallback(String listener, String service) {
    Route.Rule rule = everything(service);
    String name = listener + "/" + service + "/default";
    return new RouteRule(name, name, rule.matches().getFirst(), rule, Optional.empty(), Optional.empty());
  }

  private static Route.Rule everything(String cluster) {
    Route.Match prefix = new Route.Match(Optional.of(new Route.PathMatch(Route.PathMatchType.PathPrefix, "/")), null, null, null);
    return new Route.Rule(List.of(prefix), null, List.of(new Route.BackendRef(cluster, 1)), null, null);
  }
}
