package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What is refused on routes and clusters served to gRPC xDS clients, and where the error points. */
class ProxylessRulesTest {
  private static final String BASE = """
      clusters:
        - {name: a, discovery: {static: {endpoints: [{address: 127.0.0.1, port: 9001}]}}}
        - {name: b, discovery: {consul: {service: b}}, lbPolicy: RING_HASH, circuitBreaker: {maxRequests: 10},
           outlierDetection: {failurePercentage: {threshold: 50}}}
      gateways:
        - {name: mesh, nodeGroup: apps, proxyless: {services: [greeter, billing]}}
        - {name: edge, nodeGroup: edge, listeners: [{name: http, port: 10000}]}
      """;

  @Test
  void whatGrpcClientsHonourIsAccepted() throws Exception {
    assertThat(errors(BASE, """
        name: greeter
        gateway: mesh
        listener: greeter
        rules:
          - matches: [{path: {type: PathPrefix, value: /embassy.test.greeter.v1.Greeter}, headers: [{name: x-canary, value: "yes"}]}]
            backendRefs: [{cluster: a, weight: 80}, {cluster: b, weight: 20}]
            timeouts: {request: 2s}
            retry: {attempts: 2, backoff: 50ms}
          - matches: [{path: {type: Exact, value: /billing.v1.Billing/Charge}}]
            backendRefs: [{cluster: b}]
            sessionAffinity: {type: Header, header: x-user}
            filters: [{type: FaultInjection, faultInjection: {abort: {status: 503, percent: 10}}}]
          - matches: [{path: {type: RegularExpression, value: "/embassy\\\\.test\\\\..*/Say.*"}}]
            backendRefs: [{cluster: a}]
        """)).isEmpty();
  }

  @Test
  void envoyOnlyRouteFeaturesAreRefusedAtTheirField() throws Exception {
    assertThat(errors(BASE, """
        name: greeter
        gateway: mesh
        hostnames: [greeter.example.com]
        rules:
          - matches: [{path: {value: /x}, queryParams: [{name: q, value: "1"}], method: GET, headers: [{name: trace-bin, value: x}]}]
            filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x-a, value: b}]}}]
            backendRefs: [{cluster: a}]
            timeouts: {request: 2s, backendRequest: 1s}
            retry: {attempts: 2, codes: [503]}
            sessionAffinity: {type: Cookie, cookie: {name: s, ttl: 1h}}
            webSocket: true
        """)).extracting(FieldError::pointer).containsExactly(
            "/hostnames",
            "/rules/0/matches/0/queryParams",
            "/rules/0/matches/0/method",
            "/rules/0/matches/0/headers/0/name",
            "/rules/0/filters/0/type",
            "/rules/0/timeouts/backendRequest",
            "/rules/0/retry/codes",
            "/rules/0/sessionAffinity/type",
            "/rules/0/webSocket");
  }

  @Test
  void headerAffinityNeedsARingHashCluster() throws Exception {
    List<FieldError> errors = errors(BASE, """
        name: greeter
        gateway: mesh
        rules: [{backendRefs: [{cluster: a}, {cluster: b}], sessionAffinity: {type: Header, header: x-user}}]
        """);
    assertThat(errors).extracting(FieldError::pointer, FieldError::detail).containsExactly(org.assertj.core.groups.Tuple.tuple(
        "/rules/0/backendRefs/0/cluster", "sessionAffinity needs RING_HASH: a gRPC client hashes only there (gRFC A42), and cluster a "
            + "balances with ROUND_ROBIN"));
  }

  @Test
  void redirectsAndDirectResponsesAreRefused() throws Exception {
    List<FieldError> errors = errors(BASE, """
        name: greeter
        gateway: mesh
        rules:
          - filters: [{type: RequestRedirect, requestRedirect: {hostname: x.example.com}}]
          - filters: [{type: DirectResponse, directResponse: {status: 200}}]
        """);
    assertThat(errors).extracting(FieldError::pointer).containsExactly("/rules/0/filters/0/type", "/rules/1/filters/0/type");
    assertThat(errors.getFirst().detail()).isEqualTo("RequestRedirect is not applied by gRPC's xDS client; of the filters only FaultInjection is");
  }

  @Test
  void everyRegexRoutesAcceptCompilesInGrpcJavasEngine() {
    // grpc-java compiles route regexes with re2j, Envoy with RE2; Re2Rules decides for both, so
    // what it accepts must compile in re2j (else the client would NACK the RouteConfiguration).
    List<String> regexes = List.of("\\Qa.b\\E", "(?<n>x)", "[[:word:]]", "(?U)a+", "\\z", "(?i:x)", "(?s-m:.)", "\\x{10FFFF}",
        "[\\d-z]", "x{,3}", "(?m)^a$", "\\p{Greek}", "\\b\\B\\A", "/embassy\\.test\\..*/Say.*", "a{2,1001}", "\\C", "a**", "\\8",
        "(?P=n)", "(?P<n>x)", "[a-\\x{10FFFF}]", "\\pL+", "(a|b|)*c?", "x{2}{3}");
    for (String regex : regexes) {
      boolean accepted = Re2Rules.refusal(regex).isEmpty();
      boolean compiles;
      try {
        com.google.re2j.Pattern.compile(regex);
        compiles = true;
      } catch (com.google.re2j.PatternSyntaxException e) {
        compiles = false;
      }
      if (accepted) {
        assertThat(compiles).as("re2j compiles %s, which the routes accept", regex).isTrue();
      }
    }
  }

  @Test
  void policiesAreRefused() throws Exception {
    String config = BASE + """
        authPolicies: [{name: jwt}]
        """;
    assertThat(errors(config, """
        name: greeter
        gateway: mesh
        authPolicy: jwt
        rules: [{backendRefs: [{cluster: a}]}]
        """)).extracting(FieldError::pointer).contains("/authPolicy");
  }

  @Test
  void clustersGrpcClientsIgnoreOrRejectAreRefusedOnTheRouteThatUsesThem() throws Exception {
    String clusters = """
        clusters:
          - {name: a, discovery: {static: {endpoints: [{address: api.internal, port: 9001}]}}, lbPolicy: MAGLEV,
             tls: {sni: api.internal}, healthCheck: {path: /healthz},
             circuitBreaker: {maxConnections: 5, maxRequests: 10}, outlierDetection: {consecutive5xx: 3}}
        gateways: [{name: mesh, nodeGroup: apps, proxyless: {services: [greeter]}}]
        """;
    List<FieldError> errors = errors(clusters, """
        name: greeter
        gateway: mesh
        rules: [{backendRefs: [{cluster: a}]}]
        """);
    assertThat(errors).extracting(FieldError::pointer).containsOnly("/rules/0/backendRefs/0/cluster");
    assertThat(errors).extracting(FieldError::detail).containsExactly(
        "cluster a /lbPolicy: gRPC clients balance with ROUND_ROBIN, LEAST_REQUEST or RING_HASH; MAGLEV makes them reject the cluster",
        "cluster a /tls: upstream TLS for gRPC clients comes from certificate providers in their own bootstrap, which Embassy does not configure",
        "cluster a /healthCheck: gRPC clients run no active health checks; Consul's checks (discovery.consul) take failing instances out instead",
        "cluster a /circuitBreaker/maxConnections: gRPC clients apply only maxRequests (gRFC A32)",
        "cluster a /outlierDetection/failurePercentage: gRPC clients ignore consecutive5xx and eject by failure percentage (gRFC A50); set failurePercentage",
        "cluster a /discovery/static/endpoints/0/address: a DNS name makes a STRICT_DNS cluster, which gRPC clients reject; give IP addresses or use Consul");
  }

  @Test
  void changingAClusterAProxylessRouteUsesIsRefusedAtTheClusterField() throws Exception {
    View view = view(BASE + """
        routes: [{name: greeter, gateway: mesh, rules: [{backendRefs: [{cluster: b}]}]}]
        """);
    ConfigResource random = ConfigJson.yaml().readValue("""
        {name: b, discovery: {consul: {service: b}}, lbPolicy: RANDOM}
        """, dev.embassy.config.model.Cluster.class);
    assertThat(ConfigValidator.validate(random, view.with(random))).extracting(FieldError::pointer, FieldError::detail).containsExactly(
        org.assertj.core.groups.Tuple.tuple("/lbPolicy", "gRPC clients balance with ROUND_ROBIN, LEAST_REQUEST or RING_HASH; RANDOM makes them "
            + "reject the cluster (route greeter sends gRPC clients to this cluster)"));
    // The same cluster used only behind Envoy is fine.
    View envoyOnly = view(BASE + """
        routes: [{name: web, gateway: edge, rules: [{backendRefs: [{cluster: b}]}]}]
        """);
    assertThat(ConfigValidator.validate(random, envoyOnly.with(random))).isEmpty();
  }

  @Test
  void aProxylessGatewayIsForGrpcClientsOnly() throws Exception {
    Gateway mixed = ConfigJson.yaml().readValue("""
        {name: mesh, nodeGroup: apps, proxyless: {services: [greeter, greeter, Bad_Name]}, listeners: [{name: http, port: 10000}],
         accessLog: {}}
        """, Gateway.class);
    assertThat(ResourceValidator.validate(mixed)).extracting(FieldError::pointer).contains(
        "/proxyless/services/1", "/proxyless/services/2", "/listeners", "/accessLog");
    Gateway empty = ConfigJson.yaml().readValue("{name: mesh, nodeGroup: apps, proxyless: {}}", Gateway.class);
    assertThat(ResourceValidator.validate(empty)).extracting(FieldError::pointer).containsExactly("/proxyless/services");
  }

  @Test
  void envoysAndGrpcClientsDoNotShareANodeGroupNorAService() throws Exception {
    View view = view(BASE);
    Gateway intoEdge = ConfigJson.yaml().readValue("{name: mesh2, nodeGroup: edge, proxyless: {services: [x]}}", Gateway.class);
    assertThat(ConfigValidator.validate(intoEdge, view.with(intoEdge))).extracting(FieldError::pointer).containsExactly("/nodeGroup");
    Gateway sameService = ConfigJson.yaml().readValue("{name: mesh2, nodeGroup: apps, proxyless: {services: [x, billing]}}", Gateway.class);
    assertThat(ConfigValidator.validate(sameService, view.with(sameService))).extracting(FieldError::pointer, FieldError::detail).containsExactly(
        org.assertj.core.groups.Tuple.tuple("/proxyless/services/1",
            "gateway mesh already exposes billing in node group apps; a client could get only one of them"));
  }

  @Test
  void makingAGatewayProxylessChecksTheRoutesAlreadyOnIt() throws Exception {
    View view = view(BASE + """
        routes: [{name: web, gateway: edge, rules: [{matches: [{method: GET}], backendRefs: [{cluster: a}]}]}]
        """);
    Gateway edge = ConfigJson.yaml().readValue("{name: edge, nodeGroup: edge2, proxyless: {services: [web]}}", Gateway.class);
    assertThat(ConfigValidator.validate(edge, view.with(edge))).extracting(FieldError::pointer, FieldError::detail).containsExactly(
        org.assertj.core.groups.Tuple.tuple("/proxyless", "route web would be served to gRPC clients, which cannot take it: "
            + "/rules/0/matches/0/method every gRPC call is a POST; match on the path (/package.Service/Method) instead"));
  }

  /** Per-resource and cross-resource errors of {@code routeYaml} written into {@code configYaml}. */
  private static List<FieldError> errors(String configYaml, String routeYaml) throws Exception {
    Route route = ConfigJson.yaml().readValue(routeYaml, Route.class);
    View view = view(configYaml).with(route);
    List<FieldError> errors = new ArrayList<>(ResourceValidator.validate(route));
    errors.addAll(ConfigValidator.validate(route, view));
    return errors;
  }

  private static View view(String yaml) throws Exception {
    ConfigDocument document = ConfigJson.yaml().readValue(yaml, ConfigDocument.class);
    List<ConfigResource> all = new ArrayList<>();
    Stream.of(document.clusters(), document.gateways(), document.routes(), document.authPolicies(), document.certificates())
        .forEach(all::addAll);
    return new View(all);
  }

  /** The config as a list: enough of {@link ConfigView} for these rules. */
  private record View(List<ConfigResource> resources) implements ConfigView {
    View with(ConfigResource written) {
      List<ConfigResource> next = new ArrayList<>(resources.stream()
          .filter(r -> !(r.kind() == written.kind() && r.name().equals(written.name()))).toList());
      next.add(written);
      return new View(next);
    }

    @Override
    public boolean exists(ResourceKind kind, String name) {
      return find(kind, name).isPresent();
    }

    @Override
    public Optional<Gateway> gateway(String name) {
      return find(ResourceKind.GATEWAY, name).map(Gateway.class::cast);
    }

    @Override
    public Optional<ConfigResource> find(ResourceKind kind, String name) {
      return resources.stream().filter(r -> r.kind() == kind && r.name().equals(name)).findFirst();
    }

    @Override
    public List<Route> routesReferring(ResourceKind kind, String name) {
      return resources.stream().filter(r -> r instanceof Route).map(Route.class::cast)
          .filter(r -> r.references().stream().anyMatch(ref -> ref.kind() == kind && ref.name().equals(name))).toList();
    }

    @Override
    public List<Gateway> nodeGroupPeers(String nodeGroup, String gateway) {
      return resources.stream().filter(r -> r instanceof Gateway).map(Gateway.class::cast)
          .filter(g -> nodeGroup.equals(g.nodeGroup()) && !g.name().equals(gateway)).toList();
    }

    @Override
    public Map<String, String> conflictingClaims(String gateway, Collection<String> keys, String route) {
      return Map.of();
    }

    @Override
    public Optional<String> rateLimitDomainOwner(String domain, String policy) {
      return Optional.empty();
    }
  }
}
