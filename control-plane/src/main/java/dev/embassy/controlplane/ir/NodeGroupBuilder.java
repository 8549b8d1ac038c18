package dev.embassy.controlplane.ir;

import dev.embassy.config.model.Cluster;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.model.Route;
import dev.embassy.config.model.RouteAttachment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds each node group's {@link NodeGroupConfig} from the stored config: which listeners a node
 * group has, which routes serve which hostnames in which order, and which clusters (with which
 * endpoints) those routes need. Pure: same input, same output.
 */
public final class NodeGroupBuilder {
  private NodeGroupBuilder() {}

  /** The cluster Envoy's ext_authz filter calls auth-service through. */
  public static final String AUTH_CLUSTER = "embassy-auth";
  /** The cluster Envoy's rate-limit filter calls ratelimit-service through. */
  public static final String RATELIMIT_CLUSTER = "embassy-ratelimit";

  public static List<NodeGroupConfig> build(ConfigDocument config, TranslationSettings settings, EndpointSource endpoints) {
    return build(config, settings, endpoints, MeshSource.NONE, group -> true);
  }

  public static List<NodeGroupConfig> build(ConfigDocument config, TranslationSettings settings, EndpointSource endpoints, MeshSource mesh) {
    return build(config, settings, endpoints, mesh, group -> true);
  }

  /** Builds only the node groups {@code include} accepts. */
  public static List<NodeGroupConfig> build(ConfigDocument config, TranslationSettings settings, EndpointSource endpoints,
      java.util.function.Predicate<String> include) {
    return build(config, settings, endpoints, MeshSource.NONE, include);
  }

  /** Builds only the node groups {@code include} accepts, with Consul Connect state from {@code mesh}. */
  public static List<NodeGroupConfig> build(ConfigDocument config, TranslationSettings settings, EndpointSource endpoints,
      MeshSource mesh, java.util.function.Predicate<String> include) {
    String listenerAddress = settings.listenerAddress();
    Map<String, Cluster> clusters = new TreeMap<>();
    config.clusters().forEach(c -> clusters.put(c.name(), c));
    Map<String, RateLimitPolicy> rateLimits = new TreeMap<>();
    config.rateLimitPolicies().forEach(p -> rateLimits.put(p.name(), p));
    Map<String, String> certificateChains = new TreeMap<>();
    config.certificates().forEach(c -> certificateChains.put(c.name(), c.certificateChain()));
    Map<String, ServerCertificate> serverCertificates = new TreeMap<>();
    config.certificates().forEach(c -> c.privateKey().ifPresent(key ->
        serverCertificates.put(c.name(), new ServerCertificate(c.name(), c.certificateChain(), key))));
    Transcodings transcodings = new Transcodings(config.protoDescriptorSets());
    Map<String, List<Route>> routesByGateway = new java.util.HashMap<>();
    config.routes().forEach(r -> routesByGateway.computeIfAbsent(r.gateway(), g -> new ArrayList<>()).add(r));
    Map<String, List<Gateway>> gatewaysByGroup = new TreeMap<>();
    config.gateways().stream().filter(g -> include.test(g.nodeGroup()))
        .forEach(g -> gatewaysByGroup.computeIfAbsent(g.nodeGroup(), k -> new ArrayList<>()).add(g));

    List<NodeGroupConfig> groups = new ArrayList<>();
    gatewaysByGroup.forEach((group, gateways) -> {
      List<HttpListener> listeners = new ArrayList<>();
      List<ClientListener> clientListeners = new ArrayList<>();
      // Validation allows one Connect identity per node group; its Envoys present it on every Connect call.
      Optional<MeshIdentity> identity = gateways.stream().flatMap(g -> g.identity().stream())
          .findFirst().flatMap(connect -> mesh.identity(connect.service()));
      TreeSet<String> usedClusters = new TreeSet<>();
      // Clusters a gateway brings itself: its Envoy admin (stats), its trace collector, its sidecar app.
      List<UpstreamCluster> ownClusters = new ArrayList<>();
      for (Gateway gateway : gateways) {
        for (Gateway.Listener listener : RouteAttachment.listeners(gateway)) {
          List<Route> routes = routesByGateway.getOrDefault(gateway.name(), List.of()).stream()
              .filter(r -> r.listener().map(l -> l.equals(listener.name())).orElse(true))
              .toList();
          routes.forEach(r -> usedClusters.addAll(clustersOf(r)));
          if (RouteAttachment.proxyless(gateway, listener.name())) {
            // Named exactly as the client dials it (gRFC A27): LDS and RDS name alike.
            // Its one hostname is the service name, so the routes make at most this one virtual host.
            VirtualHost host = listener(gateway, listener, routes, "", List.of(), Optional.empty(), rateLimits, transcodings, listener.name())
                .virtualHosts().stream().findFirst()
                .orElseGet(() -> new VirtualHost(listener.name() + "/" + listener.name(), List.of(listener.name()), List.of()));
            clientListeners.add(new ClientListener(listener.name(), host));
            continue;
          }
          List<ServerCertificate> certificates = listener.tls().map(tls -> tls.certificateRefs().stream()
              .map(serverCertificates::get).filter(java.util.Objects::nonNull).toList()).orElse(List.of());
          Optional<ClientVerification> clientVerification = listener.tls().flatMap(Gateway.Tls::clientCertificates)
              .flatMap(client -> Optional.ofNullable(certificateChains.get(client.caCertificateRef())).map(pem ->
                  new ClientVerification(client.mode() == Gateway.ClientCertificateMode.Required, client.caCertificateRef(), pem)));
          boolean outbound = gateway.sidecar().flatMap(Gateway.Sidecar::outbound).isPresent()
              && listener.name().equals(Gateway.OUTBOUND_LISTENER);
          if (outbound) {
            List<String> services = gateway.sidecar().orElseThrow().outbound().orElseThrow().clusters();
            usedClusters.addAll(services);
            // Only the app beside this Envoy may call out through it.
            listeners.add(SidecarListeners.outbound(listener(gateway, listener, routes, "127.0.0.1", certificates, clientVerification, rateLimits, transcodings), services));
          } else {
            listeners.add(listener(gateway, listener, routes, listenerAddress, certificates, clientVerification, rateLimits, transcodings));
          }
        }
        gateway.stats().ifPresent(stats -> {
          listeners.add(StatsListener.listener(gateway, stats, listenerAddress));
          ownClusters.add(StatsListener.adminCluster(gateway, stats));
        });
        TraceExport.collectorCluster(gateway).ifPresent(ownClusters::add);
        gateway.sidecar().ifPresent(sidecar -> {
          Optional<RateLimitPolicy> rateLimit = sidecar.inbound().rateLimitPolicy().map(rateLimits::get);
          if (sidecar.connect().isEmpty()) {
            listeners.add(SidecarListeners.inbound(gateway, listenerAddress, rateLimit, Optional.empty()));
          } else {
            // Fail closed: until Consul has answered for the identity and the intentions, the
            // inbound port stays shut rather than open without mTLS or with unknown intentions.
            String service = sidecar.connect().get().service();
            identity.flatMap(id -> mesh.intentions(service).map(intentions -> new InboundMesh(id, intentions)))
                .ifPresent(inbound -> listeners.add(SidecarListeners.inbound(gateway, listenerAddress, rateLimit, Optional.of(inbound))));
          }
          ownClusters.add(SidecarListeners.localApp(gateway));
        });
      }
      listeners.sort(java.util.Comparator.comparing(HttpListener::name));
      clientListeners.sort(java.util.Comparator.comparing(ClientListener::name));
      List<UpstreamCluster> upstreams = new ArrayList<>(usedClusters.stream()
          .map(clusters::get)
          .filter(java.util.Objects::nonNull)
          .map(c -> upstream(c, endpoints, certificateChains, identity))
          .toList());
      upstreams.addAll(ownClusters);
      if (uses(listeners, r -> r.authPolicy().isPresent())) {
        upstreams.add(serviceCluster(AUTH_CLUSTER, settings.authService()));
      }
      if (uses(listeners, r -> r.rateLimit().isPresent())) {
        upstreams.add(serviceCluster(RATELIMIT_CLUSTER, settings.rateLimitService()));
      }
      upstreams.sort(java.util.Comparator.comparing(UpstreamCluster::name));
      groups.add(new NodeGroupConfig(group, listeners, clientListeners, upstreams));
    });
    return groups;
  }

  private static boolean uses(List<HttpListener> listeners, java.util.function.Predicate<RouteRule> test) {
    return listeners.stream().flatMap(l -> l.virtualHosts().stream()).flatMap(h -> h.routes().stream()).anyMatch(test);
  }

  /**
   * auth-service, ratelimit-service and a sidecar's local app as clusters: gRPC needs HTTP/2, and a short connect
   * timeout, because ext_authz (200 ms) and RLS (20 ms) time out fast anyway. The names are
   * reserved (validation refuses user clusters named embassy-*), so they cannot collide.
   */
  static UpstreamCluster serviceCluster(String name, List<ServiceAddress> addresses) {
    return staticCluster(name, addresses, true);
  }

  static UpstreamCluster staticCluster(String name, List<ServiceAddress> addresses, boolean http2) {
    Cluster cluster = new Cluster(name, Map.of(),
        new Cluster.Discovery(Optional.empty(), Optional.of(new Cluster.StaticEndpoints(
            addresses.stream().map(a -> new Cluster.Endpoint(a.host(), a.port(), 1)).toList()))),
        Cluster.LbPolicy.ROUND_ROBIN, "250ms", http2, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    return new UpstreamCluster(cluster, Optional.of(addresses.stream().map(a -> new UpstreamEndpoint(a.host(), a.port(), 1)).toList()), Optional.empty());
  }

  private static HttpListener listener(Gateway gateway, Gateway.Listener listener, List<Route> routes, String address,
      List<ServerCertificate> certificates, Optional<ClientVerification> clientVerification, Map<String, RateLimitPolicy> rateLimits,
      Transcodings transcodings) {
    return listener(gateway, listener, routes, address, certificates, clientVerification, rateLimits, transcodings,
        gateway.name() + "-" + listener.name());
  }

  private static HttpListener listener(Gateway gateway, Gateway.Listener listener, List<Route> routes, String address,
      List<ServerCertificate> certificates, Optional<ClientVerification> clientVerification, Map<String, RateLimitPolicy> rateLimits,
      Transcodings transcodings, String name) {
    Map<String, List<RouteRule>> byHostname = new TreeMap<>();
    for (Route route : routes) {
      for (String hostname : hostnames(route, listener)) {
        List<RouteRule> rules = byHostname.computeIfAbsent(hostname, h -> new ArrayList<>());
        for (int i = 0; i < route.rules().size(); i++) {
          Route.Rule rule = route.rules().get(i);
          List<Route.Match> matches = rule.matches().isEmpty()
              ? List.of(new Route.Match(Optional.of(new Route.PathMatch(Route.PathMatchType.PathPrefix, "/")), null, null, null))
              : rule.matches();
          for (int j = 0; j < matches.size(); j++) {
            rules.add(new RouteRule(route.name() + "/" + i + "/" + j, route.name(), matches.get(j), rule,
                route.authPolicy(), route.rateLimitPolicy().map(rateLimits::get), transcodings.of(rule)));
          }
        }
      }
    }
    List<VirtualHost> hosts = new ArrayList<>();
    byHostname.forEach((hostname, rules) -> {
      rules.sort(RouteOrder.PRECEDENCE);
      hosts.add(new VirtualHost(name + "/" + hostname, List.of(hostname), rules));
    });
    return new HttpListener(name, address, listener.port() == null ? 0 : listener.port(), hosts, certificates,
        HttpListener.Options.of(gateway, listener), clientVerification, java.util.Optional.empty());
  }

  /**
   * The hostnames a route serves on a listener: its own (or every hostname when it names none),
   * narrowed to those the listener accepts when the listener restricts them.
   */
  private static List<String> hostnames(Route route, Gateway.Listener listener) {
    if (route.hostnames().isEmpty()) {
      return listener.hostnames().isEmpty() ? List.of("*") : listener.hostnames();
    }
    if (listener.hostnames().isEmpty()) {
      return route.hostnames();
    }
    return route.hostnames().stream().filter(h -> listener.hostnames().stream().anyMatch(l -> covers(l, h))).toList();
  }

  private static boolean covers(String listenerHostname, String routeHostname) {
    if (listenerHostname.equals(routeHostname)) {
      return true;
    }
    return listenerHostname.startsWith("*.") && routeHostname.endsWith(listenerHostname.substring(1)) && !routeHostname.startsWith("*.");
  }

  private static List<String> clustersOf(Route route) {
    List<String> names = new ArrayList<>();
    for (Route.Rule rule : route.rules()) {
      rule.backendRefs().forEach(b -> names.add(b.cluster()));
      rule.filters().forEach(f -> f.requestMirror().ifPresent(m -> names.add(m.cluster())));
    }
    return names;
  }

  private static UpstreamCluster upstream(Cluster c, EndpointSource endpoints, Map<String, String> certificateChains, Optional<MeshIdentity> identity) {
    Optional<String> ca = c.tls().flatMap(Cluster.UpstreamTls::caCertificateRef).map(certificateChains::get);
    if (c.connect().isEmpty()) {
      return new UpstreamCluster(c, endpointsOf(c, endpoints), ca);
    }
    Optional<UpstreamMesh> mesh = identity.map(id -> new UpstreamMesh(id, id.spiffeIdOf(c.connect().get().service())));
    // Without the caller's identity there is nothing to present: no endpoints, so no request
    // leaves without mTLS (see UpstreamCluster#meshClosed).
    return new UpstreamCluster(c, mesh.isPresent() ? endpointsOf(c, endpoints) : Optional.of(List.of()), ca, mesh);
  }

  private static Optional<List<UpstreamEndpoint>> endpointsOf(Cluster cluster, EndpointSource source) {
    return cluster.discovery().staticEndpoints()
        .map(s -> Optional.of(s.endpoints().stream().map(e -> new UpstreamEndpoint(e.address(), e.port(), e.weight())).toList()))
        .orElseGet(() -> source.endpoints(cluster));
  }
}
