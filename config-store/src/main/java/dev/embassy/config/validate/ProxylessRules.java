package dev.embassy.config.validate;

import dev.embassy.config.model.Cluster;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;
import dev.embassy.config.model.RouteAttachment;
import java.util.List;
import java.util.Optional;

/**
 * What a gRPC xDS client (gRFC A27 and the features after it) can be given. gRPC clients ignore
 * much of the route and cluster API silently and NACK some of it, so a route or cluster that
 * works behind an Envoy may do nothing, or break the whole service, for a proxyless client. Here
 * is the one list of what such a client honours: path (exact, prefix, RE2 regex: what
 * {@link Re2Rules} lets through, re2j, grpc-java's engine, compiles too) and header
 * matches, weighted backends (A28), the request timeout as max_stream_duration (A31), retries on
 * UNAVAILABLE with a backoff (A44), header-keyed ring-hash affinity (A42), fault injection (A33),
 * max_requests circuit breaking (A32) and failure-percentage outlier detection (A50). Everything
 * else is refused on routes attached to a proxyless service and on the clusters they use, with the
 * field that would be lost.
 */
final class ProxylessRules {
  private ProxylessRules() {}

  /** The gateway's own shape: services to expose, and nothing an Envoy would bind or log. */
  static void gateway(Gateway gateway, Violations v) {
    Gateway.Proxyless proxyless = gateway.proxyless().orElseThrow();
    Violations at = v.at("proxyless");
    if (Checks.required(at, "services", proxyless.services())) {
      Checks.maxSize(at, "services", proxyless.services(), 256);
    }
    Checks.unique(at, "services", proxyless.services(), s -> s, "duplicate service");
    for (int i = 0; i < proxyless.services().size(); i++) {
      Checks.name(at.at("services"), Integer.toString(i), proxyless.services().get(i));
    }
    // A node group is either Envoys or gRPC clients: an Envoy would be sent the client listeners
    // (api_listener), which it cannot run, and a client has no use for ports.
    String envoyOnly = " is Envoy configuration; a proxyless gateway is served to gRPC clients only, so give the Envoys a gateway of their own";
    if (!gateway.listeners().isEmpty()) {
      v.add("listeners", "listeners" + envoyOnly);
    }
    gateway.sidecar().ifPresent(s -> v.add("sidecar", "sidecar" + envoyOnly));
    gateway.stats().ifPresent(s -> v.add("stats", "stats" + envoyOnly));
    gateway.accessLog().ifPresent(s -> v.add("accessLog", "accessLog" + envoyOnly + " (gRPC clients write no access log)"));
    gateway.compression().ifPresent(s -> v.add("compression", "compression" + envoyOnly));
  }

  /**
   * Against the rest of the config: the node group holds no Envoy gateway and no other gateway
   * exposing the same service, and the routes already attached to the gateway fit a proxyless
   * client (they would now be served to one).
   */
  static void gatewayInConfig(Gateway gateway, List<Gateway> peers, ConfigView view, Violations v) {
    boolean proxyless = gateway.proxyless().isPresent();
    for (Gateway peer : peers) {
      if (peer.proxyless().isPresent() != proxyless) {
        v.add("nodeGroup", "node group " + gateway.nodeGroup() + " already serves " + (proxyless ? "Envoys" : "gRPC clients")
            + " (gateway " + peer.name() + "); Envoys and proxyless gRPC clients need node groups of their own");
        return;
      }
    }
    List<String> services = RouteAttachment.proxylessServices(gateway);
    for (int i = 0; i < services.size(); i++) {
      String service = services.get(i);
      int index = i;
      peers.stream().filter(peer -> RouteAttachment.proxylessServices(peer).contains(service)).findFirst()
          .ifPresent(peer -> v.at("proxyless", "services").add(Integer.toString(index), "gateway " + peer.name()
              + " already exposes " + service + " in node group " + gateway.nodeGroup() + "; a client could get only one of them"));
    }
    if (!proxyless) {
      return;
    }
    for (Route route : view.routesReferring(ResourceKind.GATEWAY, gateway.name())) {
      Violations broken = new Violations();
      route(route, gateway, view, broken);
      broken.errors().stream().findFirst().ifPresent(e ->
          v.add("proxyless", "route " + route.name() + " would be served to gRPC clients, which cannot take it: " + e.pointer() + " " + e.detail()));
    }
  }

  /** Whether {@code route} is served to gRPC clients: it attaches to a service of a proxyless gateway. */
  static boolean attached(Route route, Gateway gateway) {
    List<String> services = RouteAttachment.proxylessServices(gateway);
    return !services.isEmpty() && route.listener().map(services::contains).orElse(true);
  }

  /** A route attached to a proxyless service, and the clusters it sends to. Pointers relative to the route. */
  static void route(Route route, Gateway gateway, ConfigView view, Violations v) {
    if (!attached(route, gateway)) {
      return;
    }
    if (!route.hostnames().isEmpty()) {
      v.add("hostnames", "a gRPC client looks up the name it dialled (xds:///<service>); a route on a proxyless service takes no hostnames");
    }
    route.authPolicy().ifPresent(p -> v.add("authPolicy",
        "gRPC's xDS client has no ext_authz; authenticate in the server (or with an Envoy in front of it)"));
    route.rateLimitPolicy().ifPresent(p -> v.add("rateLimitPolicy", "gRPC's xDS client calls no rate-limit service"));
    for (int i = 0; i < route.rules().size(); i++) {
      Route.Rule rule = route.rules().get(i);
      if (rule != null) {
        rule(rule, view, v.at("rules", i));
      }
    }
  }

  private static void rule(Route.Rule rule, ConfigView view, Violations v) {
    for (int j = 0; j < rule.matches().size(); j++) {
      Route.Match match = rule.matches().get(j);
      if (match != null) {
        match(match, v.at("matches", j));
      }
    }
    for (int j = 0; j < rule.filters().size(); j++) {
      Route.Filter filter = rule.filters().get(j);
      if (filter != null && filter.type() != null && filter.type() != Route.FilterType.FaultInjection) {
        v.at("filters", j).add("type", filter.type() + " is not applied by gRPC's xDS client; of the filters only FaultInjection is");
      }
    }
    rule.timeouts().flatMap(Route.Timeouts::backendRequest).ifPresent(t -> v.at("timeouts").add("backendRequest",
        "gRPC's xDS client has no per-attempt timeout; use timeouts.request, the deadline of the whole call"));
    rule.retry().filter(r -> !r.codes().isEmpty()).ifPresent(r -> v.at("retry").add("codes",
        "gRPC retries on status UNAVAILABLE; HTTP status codes do not apply to a gRPC client, leave codes out"));
    rule.clientIps().ifPresent(c -> v.add("clientIps", "a gRPC client does not filter its own address"));
    rule.sessionAffinity().filter(a -> a.type() != Route.AffinityType.Header).ifPresent(a -> v.at("sessionAffinity").add("type",
        "gRPC's ring hash keys only on a request header (gRFC A42); " + a.type() + " is ignored by gRPC clients"));
    if (rule.webSocket()) {
      v.add("webSocket", "a gRPC client makes no WebSocket upgrades");
    }
    if (rule.grpcWeb()) {
      v.add("grpcWeb", "gRPC-Web is for browsers behind an Envoy, not for gRPC clients");
    }
    if (rule.responseCache()) {
      v.add("responseCache", "gRPC's xDS client has no response cache");
    }
    for (int k = 0; k < rule.backendRefs().size(); k++) {
      Route.BackendRef backend = rule.backendRefs().get(k);
      if (backend == null || backend.cluster() == null) {
        continue;
      }
      Violations at = v.at("backendRefs", k);
      view.find(ResourceKind.CLUSTER, backend.cluster()).map(c -> (Cluster) c).ifPresent(cluster -> {
        Violations problems = new Violations();
        cluster(cluster, problems);
        problems.errors().forEach(e -> at.add("cluster", "cluster " + cluster.name() + " " + e.pointer() + ": " + e.detail()));
        if (rule.sessionAffinity().filter(a -> a.type() == Route.AffinityType.Header).isPresent()
            && cluster.lbPolicy() != Cluster.LbPolicy.RING_HASH) {
          at.add("cluster", "sessionAffinity needs RING_HASH: a gRPC client hashes only there (gRFC A42), and cluster "
              + cluster.name() + " balances with " + cluster.lbPolicy());
        }
      });
    }
  }

  private static void match(Route.Match match, Violations v) {
    if (!match.queryParams().isEmpty()) {
      // grpc-java drops a route with query parameter matchers altogether: gRPC requests have no query.
      v.add("queryParams", "gRPC requests have no query string; a gRPC client skips a route that matches on one");
    }
    match.method().ifPresent(m -> v.add("method", "every gRPC call is a POST; match on the path (/package.Service/Method) instead"));
    for (int h = 0; h < match.headers().size(); h++) {
      Route.ValueMatch header = match.headers().get(h);
      if (header == null) {
        continue;
      }
      Violations at = v.at("headers", h);
      if (header.name() != null && header.name().toLowerCase(java.util.Locale.ROOT).endsWith("-bin")) {
        at.add("name", "gRPC clients never match binary (-bin) metadata");
      }
    }
  }

  /**
   * A cluster a proxyless client sends to. Pointers relative to the cluster. Some of these a
   * client ignores (health checks, most circuit-breaker fields, consecutive-5xx ejection); the LB
   * policies and DNS discovery it does not support make it NACK the cluster, and upstream TLS needs
   * certificate providers in the client's bootstrap that Embassy does not configure.
   */
  static void cluster(Cluster cluster, Violations v) {
    if (cluster.lbPolicy() == Cluster.LbPolicy.RANDOM || cluster.lbPolicy() == Cluster.LbPolicy.MAGLEV) {
      v.add("lbPolicy", "gRPC clients balance with ROUND_ROBIN, LEAST_REQUEST or RING_HASH; " + cluster.lbPolicy()
          + " makes them reject the cluster");
    }
    cluster.tls().ifPresent(t -> v.add("tls", "upstream TLS for gRPC clients comes from certificate providers in their own bootstrap, "
        + "which Embassy does not configure"));
    cluster.healthCheck().ifPresent(h -> v.add("healthCheck",
        "gRPC clients run no active health checks; Consul's checks (discovery.consul) take failing instances out instead"));
    cluster.circuitBreaker().ifPresent(breaker -> {
      Violations at = v.at("circuitBreaker");
      String only = "gRPC clients apply only maxRequests (gRFC A32)";
      breaker.maxConnections().ifPresent(n -> at.add("maxConnections", only));
      breaker.maxPendingRequests().ifPresent(n -> at.add("maxPendingRequests", only));
      breaker.maxRetries().ifPresent(n -> at.add("maxRetries", only));
    });
    cluster.outlierDetection().filter(o -> o.failurePercentage().isEmpty()).ifPresent(o -> v.at("outlierDetection").add("failurePercentage",
        "gRPC clients ignore consecutive5xx and eject by failure percentage (gRFC A50); set failurePercentage"));
    Optional.ofNullable(cluster.discovery()).flatMap(Cluster.Discovery::staticEndpoints).ifPresent(s -> {
      for (int i = 0; i < s.endpoints().size(); i++) {
        Cluster.Endpoint endpoint = s.endpoints().get(i);
        if (endpoint != null && endpoint.address() != null && !ClusterRules.ipLiteral(endpoint.address())) {
          v.at("discovery", "static", "endpoints", i).add("address",
              "a DNS name makes a STRICT_DNS cluster, which gRPC clients reject; give IP addresses or use Consul");
        }
      }
    });
  }

  /**
   * A cluster being written, against the proxyless routes that use it: it must stay one their
   * clients can take. Pointers relative to the cluster.
   */
  static void clusterInConfig(Cluster cluster, ConfigView view, Violations v) {
    Violations problems = new Violations();
    cluster(cluster, problems);
    if (problems.isEmpty()) {
      return;
    }
    for (Route route : view.routesReferring(ResourceKind.CLUSTER, cluster.name())) {
      boolean served = route.gateway() != null && view.gateway(route.gateway()).map(g -> attached(route, g)).orElse(false);
      if (served) {
        problems.errors().forEach(e -> v.addAtPointer(e.pointer(),
            e.detail() + " (route " + route.name() + " sends gRPC clients to this cluster)"));
        return;
      }
    }
  }
}
