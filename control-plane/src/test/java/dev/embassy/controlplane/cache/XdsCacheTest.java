package dev.embassy.controlplane.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import dev.embassy.controlplane.translate.XdsResources;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The cache driven the way java-control-plane's discovery server drives it: a watch per request,
 * a new watch on every ACK or NACK. Pure: no network, no Envoy (the ITs have those).
 */
class XdsCacheTest {
  private static final String GROUP = "edge";

  private final XdsCache cache = new XdsCache(Clock.systemUTC());
  private long revision;

  @Test
  void unknownEndpointNamesAreAnsweredEmptyNeverWithheld() {
    publish(snapshot(Map.of("a", 8080), Map.of("r", "a")));
    SotwProxy proxy = new SotwProxy("p1");
    proxy.request(XdsType.ENDPOINT, Set.of("a", "ghost"));
    Response response = proxy.last(XdsType.ENDPOINT);
    assertThat(response).as("an EDS answer despite the unknown name").isNotNull();
    assertThat(names(response.resources())).containsExactly("a", "ghost");
    assertThat(((ClusterLoadAssignment) byName(response.resources(), "ghost")).getEndpointsCount()).isZero();
  }

  @Test
  void aRouteToANewClusterWaitsUntilTheClusterAndItsEndpointsAreAcked() {
    publish(snapshot(Map.of("a", 8080), Map.of("r", "a")));
    SotwProxy proxy = new SotwProxy("p1");
    proxy.syncAll(Set.of("a"), Set.of("r"));
    String routeBefore = proxy.versionOf(XdsType.ROUTE);

    // Route r moves to a new cluster b, which replaces a.
    publish(snapshot(Map.of("b", 9090), Map.of("r", "b")));
    Response clusters = proxy.last(XdsType.CLUSTER);
    assertThat(names(clusters.resources())).as("b goes out; a stays while r still routes to it").containsExactly("a", "b");
    assertThat(proxy.responsesSinceSync(XdsType.ROUTE)).as("r waits for b").isZero();

    proxy.ack(XdsType.CLUSTER);
    assertThat(proxy.responsesSinceSync(XdsType.ROUTE)).as("b ACKed but its endpoints not yet").isZero();
    proxy.request(XdsType.ENDPOINT, Set.of("a", "b"));
    proxy.ack(XdsType.ENDPOINT);
    Response routes = proxy.last(XdsType.ROUTE);
    assertThat(routes.version()).isNotEqualTo(routeBefore);
    assertThat(target(routes.resources())).isEqualTo("b");

    proxy.ack(XdsType.ROUTE);
    assertThat(names(proxy.last(XdsType.CLUSTER).resources())).as("a leaves once nothing the proxy holds routes to it")
        .containsExactly("b");
  }

  @Test
  void aGrpcClientIsSentARouteBeforeItsClustersAreWarmBecauseItAsksForThemOnlyAfter() {
    // gRPC's xDS client asks for a route's clusters once it has the route (and applies the route
    // only once they have arrived): holding the route back until they are warm would never end.
    XdsResources envoyShaped = snapshot("apps", Map.of("a", 8080), Map.of("greeter", "a"));
    Listener apiListener = Listener.newBuilder().setName("greeter")
        .setApiListener(io.envoyproxy.envoy.config.listener.v3.ApiListener.newBuilder().setApiListener(
            Any.pack(HttpConnectionManager.newBuilder().setRds(Rds.newBuilder().setRouteConfigName("r")
                .setConfigSource(ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()))).build())))
        .build();
    cache.publish(GroupSnapshot.of(new XdsResources("apps", List.of(apiListener), envoyShaped.routes(), envoyShaped.clusters(),
        envoyShaped.endpoints(), List.of()), ++revision, null));
    cache.loaded();
    SotwProxy client = new SotwProxy("grpc-client", "apps");
    client.request(XdsType.LISTENER, Set.of("greeter"));
    client.ack(XdsType.LISTENER);
    client.request(XdsType.ROUTE, Set.of("r"));
    assertThat(client.last(XdsType.ROUTE)).as("the route, with no cluster asked for yet").isNotNull();
    assertThat(target(client.last(XdsType.ROUTE).resources())).isEqualTo("a");
    client.ack(XdsType.ROUTE);
    client.request(XdsType.CLUSTER, Set.of("a"));
    assertThat(names(client.last(XdsType.CLUSTER).resources())).containsExactly("a");
    client.ack(XdsType.CLUSTER);

    // Once it holds clusters, a route to a new one waits for that cluster, not for its endpoints.
    XdsResources moved = snapshot("apps", Map.of("b", 9090), Map.of("greeter", "b"));
    int routesBefore = client.responses.get(XdsType.ROUTE).size();
    cache.publish(GroupSnapshot.of(new XdsResources("apps", List.of(apiListener), moved.routes(), moved.clusters(), moved.endpoints(),
        List.of()), ++revision, cache.target("apps").orElse(null)));
    assertThat(client.responses.get(XdsType.ROUTE)).as("the route to b waits until the client holds b").hasSize(routesBefore);
    assertThat(names(client.last(XdsType.CLUSTER).resources())).as("a stays while the held route sends to it").containsExactly("a", "b");
    client.ack(XdsType.CLUSTER);
    assertThat(target(client.last(XdsType.ROUTE).resources())).as("released with b held, before b's endpoints").isEqualTo("b");
  }

  @Test
  void aNackedVersionIsNeverResentAndTheGroupReturnsToTheLastGoodOne() {
    publish(snapshot(Map.of("a", 8080), Map.of("r", "a")));
    SotwProxy first = new SotwProxy("p1");
    first.syncAll(Set.of("a"), Set.of("r"));
    String good = first.versionOf(XdsType.ROUTE);

    publish(snapshot(Map.of("a", 8080), Map.of("r", "a", "s", "a")));
    assertThat(first.last(XdsType.ROUTE).version()).isNotEqualTo(good);
    first.nack(XdsType.ROUTE);
    assertThat(first.responsesSinceSync(XdsType.ROUTE)).as("the rejected version once, never again").isEqualTo(1);
    assertThat(cache.rejections(GROUP)).containsKey(XdsType.ROUTE);

    SotwProxy late = new SotwProxy("p2");
    late.syncAll(Set.of("a"), Set.of("r"));
    assertThat(late.versionOf(XdsType.ROUTE)).as("a proxy joining later gets the last good version").isEqualTo(good);

    publish(snapshot(Map.of("a", 8080), Map.of("r", "a", "t", "a")));
    assertThat(first.last(XdsType.ROUTE).version()).as("new content lifts the withdrawal").isNotEqualTo(good);
    assertThat(cache.rejections(GROUP)).isEmpty();
  }

  @Test
  void aStreamIsServedTheGroupItsOwnNodeNamesEvenUnderAnotherStreamsNodeId() {
    // The ADS server checks each stream's node.cluster against its identity (issue 15); the cache
    // must then serve that group, not the one an earlier stream under the same node id opened.
    publish(snapshot(Map.of("a", 8080), Map.of("r", "a")));
    cache.publish(GroupSnapshot.of(snapshot("payments", Map.of("secret-backend", 9090), Map.of("r", "secret-backend")), ++revision, null));
    SotwProxy victim = new SotwProxy("shared-id", "payments");
    victim.request(XdsType.CLUSTER, Set.of());
    SotwProxy other = new SotwProxy("shared-id", GROUP);
    other.request(XdsType.CLUSTER, Set.of());
    assertThat(names(victim.last(XdsType.CLUSTER).resources())).containsExactly("secret-backend");
    assertThat(names(other.last(XdsType.CLUSTER).resources())).containsExactly("a");
  }

  @Test
  void anEndpointChangeAnswersOnlyTheEndpointWatch() {
    publish(snapshot(Map.of("a", 8080), Map.of("r", "a")));
    SotwProxy proxy = new SotwProxy("p1");
    proxy.syncAll(Set.of("a"), Set.of("r"));
    publish(snapshot(Map.of("a", 8081), Map.of("r", "a")));
    assertThat(proxy.responsesSinceSync(XdsType.ENDPOINT)).isEqualTo(1);
    assertThat(proxy.responsesSinceSync(XdsType.CLUSTER)).isZero();
    assertThat(proxy.responsesSinceSync(XdsType.LISTENER)).isZero();
    assertThat(proxy.responsesSinceSync(XdsType.ROUTE)).isZero();
  }

  @Test
  void aStateOfTheWorldEndpointResponseCarriesOnlyTheChangedAssignment() {
    publish(snapshot(Map.of("a", 8080, "b", 9090), Map.of("r", "a")));
    SotwProxy proxy = new SotwProxy("p1");
    proxy.syncAll(Set.of("a", "b"), Set.of("r"));
    assertThat(names(proxy.last(XdsType.ENDPOINT).resources())).as("the first answer has everything").containsExactly("a", "b");
    publish(snapshot(Map.of("a", 8080, "b", 9091), Map.of("r", "a")));
    Response update = proxy.last(XdsType.ENDPOINT);
    assertThat(names(update.resources())).containsExactly("b");
    assertThat(update.version()).as("the version still names the whole set").isEqualTo(cache.target(GROUP).orElseThrow().version(XdsType.ENDPOINT));
    assertThat(names(proxy.last(XdsType.CLUSTER).resources())).as("clusters are always the whole set").containsExactly("a", "b");
  }

  @Test
  void nothingIsAnsweredBeforeTheConfigIsLoaded() {
    // A replica that has just started has not built its node groups yet. An Envoy reconnecting to
    // it, announcing what it holds, must not be told to remove it all; one starting must not be
    // told there is nothing. Both wait for the first full publication.
    DeltaProxy reconnecting = new DeltaProxy("d1");
    reconnecting.subscribe(XdsType.CLUSTER, Set.of(), Map.of("a", "whatever", "stale", "v1"));
    SotwProxy starting = new SotwProxy("s1");
    starting.request(XdsType.LISTENER, Set.of());
    assertThat(reconnecting.count(XdsType.CLUSTER)).isZero();
    assertThat(starting.last(XdsType.LISTENER)).isNull();

    publish(snapshot(Map.of("a", 8080), Map.of("r", "a")));
    DeltaResponse response = reconnecting.last(XdsType.CLUSTER);
    assertThat(response.removedResources()).as("only what the loaded config lacks").containsExactly("stale");
    assertThat(response.resources().keySet()).containsExactly("a");
    assertThat(starting.last(XdsType.LISTENER)).isNotNull();
  }

  @Test
  void aDeltaSubscriptionIsAnsweredEvenWhenThereIsNothingYet() {
    // Once the config is loaded, an Envoy whose node group has none yet must still get an answer
    // to its first request, or it waits out its initial fetch timeout before going live.
    cache.loaded();
    DeltaProxy proxy = new DeltaProxy("d1");
    proxy.subscribe(XdsType.CLUSTER, Set.of(), Map.of());
    assertThat(proxy.count(XdsType.CLUSTER)).isEqualTo(1);
    assertThat(proxy.last(XdsType.CLUSTER).resources()).isEmpty();
    proxy.ack(XdsType.CLUSTER);
    assertThat(proxy.count(XdsType.CLUSTER)).as("the ACK of the empty answer gets no second one").isEqualTo(1);
    publish(snapshot(Map.of("a", 8080), Map.of("r", "a")));
    assertThat(proxy.last(XdsType.CLUSTER).resources().keySet()).containsExactly("a");
  }

  @Test
  void deltaSendsOnlyWhatChangedAndRemovesWhatIsGone() {
    publish(snapshot(Map.of("a", 8080, "b", 9090), Map.of("r", "a")));
    DeltaProxy proxy = new DeltaProxy("d1");
    proxy.subscribe(XdsType.CLUSTER, Set.of(), Map.of());
    assertThat(proxy.last(XdsType.CLUSTER).resources().keySet()).containsExactlyInAnyOrder("a", "b");
    proxy.ack(XdsType.CLUSTER);

    publish(snapshot(Map.of("a", 8080, "c", 7070), Map.of("r", "a")));
    DeltaResponse update = proxy.last(XdsType.CLUSTER);
    assertThat(update.resources().keySet()).as("only the new cluster").containsExactly("c");
    assertThat(update.removedResources()).containsExactly("b");
  }

  @Test
  void aDeltaStreamReconnectingWithResourcesThatNoLongerExistIsToldToRemoveThem() {
    publish(snapshot(Map.of("a", 8080), Map.of("r", "a")));
    DeltaProxy proxy = new DeltaProxy("d1");
    // Envoy reconnects (to a restarted or different replica) announcing what it already has.
    proxy.subscribe(XdsType.CLUSTER, Set.of(), Map.of("a", "whatever", "stale", "v1"));
    DeltaResponse response = proxy.last(XdsType.CLUSTER);
    assertThat(response.removedResources()).containsExactly("stale");
    assertThat(response.resources().keySet()).containsExactly("a");
  }

  @Test
  void aRouteConfigurationRemovedAndBackIsSentAgainThoughTheProxyNeverResubscribed() {
    publish(snapshot(Map.of("a", 8080), Map.of("x", "a")));
    DeltaProxy proxy = new DeltaProxy("d1");
    proxy.subscribe(XdsType.CLUSTER, Set.of(), Map.of());
    proxy.ack(XdsType.CLUSTER);
    proxy.subscribe(XdsType.ENDPOINT, Set.of("a"), Map.of());
    proxy.ack(XdsType.ENDPOINT);
    proxy.subscribe(XdsType.ROUTE, Set.of("r"), Map.of());
    assertThat(proxy.last(XdsType.ROUTE).resources().keySet()).containsExactly("r");
    proxy.ack(XdsType.ROUTE);

    publish(withoutListenersAndRoutes(snapshot(Map.of("a", 8080), Map.of("x", "a"))));
    assertThat(proxy.last(XdsType.ROUTE).removedResources()).containsExactly("r");
    // Envoy ACKs the removal and stays subscribed (its draining listener still holds the
    // subscription): it sends no new subscribe when the name comes back.
    proxy.ack(XdsType.ROUTE);

    publish(snapshot(Map.of("a", 8080), Map.of("y", "a")));
    DeltaResponse back = proxy.last(XdsType.ROUTE);
    assertThat(back.resources().keySet()).as("the re-created RouteConfiguration is sent").containsExactly("r");
    proxy.ack(XdsType.ROUTE);

    // An unsubscribe after a removal ends the subscription: the name coming back is not sent.
    publish(withoutListenersAndRoutes(snapshot(Map.of("a", 8080), Map.of("y", "a"))));
    proxy.ack(XdsType.ROUTE);
    proxy.unsubscribe(XdsType.ROUTE, Set.of("r"));
    int before = proxy.count(XdsType.ROUTE);
    publish(snapshot(Map.of("a", 8080), Map.of("z", "a")));
    assertThat(proxy.count(XdsType.ROUTE)).isEqualTo(before);
  }

  @Test
  void anUnsubscribeFromAHeldNameIsConfirmedSoTheProxyIsKnownToHoldWhatItHas() {
    publish(snapshot(Map.of("a", 8080, "b", 9090), Map.of("x", "a")));
    DeltaProxy proxy = new DeltaProxy("d1");
    proxy.subscribe(XdsType.CLUSTER, Set.of(), Map.of());
    proxy.ack(XdsType.CLUSTER);
    proxy.subscribe(XdsType.ENDPOINT, Set.of("a", "b"), Map.of());
    proxy.ack(XdsType.ENDPOINT);
    int before = proxy.count(XdsType.ENDPOINT);

    // Envoy lets go of b's endpoints on its own (as when it drops a removed cluster before the
    // cache has sent the removal): java-control-plane forgets b at once.
    proxy.unsubscribe(XdsType.ENDPOINT, Set.of("b"));
    assertThat(proxy.count(XdsType.ENDPOINT)).as("one confirming response").isEqualTo(before + 1);
    DeltaResponse confirm = proxy.last(XdsType.ENDPOINT);
    assertThat(confirm.resources()).isEmpty();
    assertThat(confirm.removedResources()).containsExactly("b");
    proxy.ack(XdsType.ENDPOINT);
    assertThat(proxy.count(XdsType.ENDPOINT)).as("and nothing after its ACK").isEqualTo(before + 1);
  }

  private static XdsResources withoutListenersAndRoutes(XdsResources resources) {
    return new XdsResources(resources.nodeGroup(), List.of(), List.of(), resources.clusters(), resources.endpoints(), resources.secrets());
  }

  @Test
  void aDeltaNackIsNotRetriedAndDoesNotBlockOtherChanges() {
    publish(snapshot(Map.of("a", 8080), Map.of("r", "a")));
    DeltaProxy proxy = new DeltaProxy("d1");
    proxy.subscribe(XdsType.CLUSTER, Set.of(), Map.of());
    proxy.ack(XdsType.CLUSTER);
    publish(snapshot(Map.of("a", 8080, "b", 9090), Map.of("r", "a")));
    int before = proxy.count(XdsType.CLUSTER);
    proxy.nack(XdsType.CLUSTER);
    assertThat(proxy.count(XdsType.CLUSTER)).as("no resend of the rejected cluster").isEqualTo(before);

    // The rejected cluster is unchanged in the next revision, which also adds c: c goes out alone
    // (kgateway #5902: one bad object must not hold back everyone else's changes).
    publish(snapshot(Map.of("a", 8080, "b", 9090, "c", 7070), Map.of("r", "a")));
    assertThat(proxy.count(XdsType.CLUSTER)).isEqualTo(before + 1);
    assertThat(proxy.last(XdsType.CLUSTER).resources().keySet()).containsExactly("c");
  }

  // ---- fixtures -----------------------------------------------------------------------------

  /** Publishes the group's next snapshot, then says the config is loaded, as ConfigSync does. */
  private void publish(XdsResources resources) {
    cache.publish(GroupSnapshot.of(resources, ++revision, cache.target(GROUP).orElse(null)));
    cache.loaded();
  }

  /** Clusters (name → endpoint port) and one listener whose route configuration "edge" has routes name → cluster. */
  private static XdsResources snapshot(Map<String, Integer> clusters, Map<String, String> routes) {
    return snapshot(GROUP, clusters, routes);
  }

  private static XdsResources snapshot(String group, Map<String, Integer> clusters, Map<String, String> routes) {
    List<Cluster> cds = new ArrayList<>();
    List<ClusterLoadAssignment> eds = new ArrayList<>();
    new TreeSet<>(clusters.keySet()).forEach(name -> {
      cds.add(Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
          .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setServiceName(name)
              .setEdsConfig(ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())))
          .build());
      eds.add(ClusterLoadAssignment.newBuilder().setClusterName(name)
          .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint.newBuilder()
              .setEndpoint(io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                  .setAddress(io.envoyproxy.envoy.config.core.v3.Address.newBuilder()
                      .setSocketAddress(io.envoyproxy.envoy.config.core.v3.SocketAddress.newBuilder().setAddress("127.0.0.1")
                          .setPortValue(clusters.get(name)))))))
          .build());
    });
    VirtualHost.Builder host = VirtualHost.newBuilder().setName("all").addDomains("*");
    new TreeSet<>(routes.keySet()).forEach(name -> host.addRoutes(Route.newBuilder().setName(name)
        .setMatch(RouteMatch.newBuilder().setPrefix("/" + name))
        .setRoute(RouteAction.newBuilder().setCluster(routes.get(name)))));
    RouteConfiguration rds = RouteConfiguration.newBuilder().setName("r").addVirtualHosts(host).build();
    Listener lds = Listener.newBuilder().setName("l").addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
        .setName("hcm").setTypedConfig(Any.pack(HttpConnectionManager.newBuilder().setStatPrefix("l")
            .setRds(Rds.newBuilder().setRouteConfigName("r").setConfigSource(ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance())))
            .build())))).build();
    return new XdsResources(group, List.of(lds), List.of(rds), cds, eds, List.of());
  }

  private static List<String> names(java.util.Collection<? extends Message> resources) {
    return resources.stream().map(XdsCacheTest::name).sorted().toList();
  }

  private static Message byName(java.util.Collection<? extends Message> resources, String name) {
    return resources.stream().filter(r -> name(r).equals(name)).findFirst().orElseThrow();
  }

  private static String name(Message resource) {
    return switch (resource) {
      case Cluster c -> c.getName();
      case ClusterLoadAssignment c -> c.getClusterName();
      case Listener l -> l.getName();
      case RouteConfiguration r -> r.getName();
      default -> throw new IllegalArgumentException(resource.getClass().getName());
    };
  }

  private static String target(java.util.Collection<? extends Message> routes) {
    return ((RouteConfiguration) routes.iterator().next()).getVirtualHosts(0).getRoutes(0).getRoute().getCluster();
  }

  /** A state-of-the-world ADS client that remembers what it was sent and what it ACKed. */
  private final class SotwProxy {
    private final Node node;
    private final Map<XdsType, List<Response>> responses = new HashMap<>();
    private final Map<XdsType, Integer> synced = new HashMap<>();
    private final Map<XdsType, String> acked = new HashMap<>();
    private final Map<XdsType, Set<String>> names = new HashMap<>();

    SotwProxy(String id) {
      this(id, GROUP);
    }

    SotwProxy(String id, String group) {
      node = Node.newBuilder().setId(id).setCluster(group).build();
    }

    void syncAll(Set<String> clusters, Set<String> routeConfigs) {
      request(XdsType.CLUSTER, Set.of());
      ack(XdsType.CLUSTER);
      request(XdsType.ENDPOINT, clusters);
      ack(XdsType.ENDPOINT);
      request(XdsType.LISTENER, Set.of());
      ack(XdsType.LISTENER);
      request(XdsType.ROUTE, routeConfigs);
      ack(XdsType.ROUTE);
      for (XdsType type : XdsType.values()) {
        synced.put(type, responses.getOrDefault(type, List.of()).size());
      }
    }

    void request(XdsType type, Set<String> resourceNames) {
      names.put(type, resourceNames);
      send(type, acked.getOrDefault(type, ""), "", false);
    }

    void ack(XdsType type) {
      Response last = last(type);
      acked.put(type, last.version());
      send(type, last.version(), "n", false);
    }

    void nack(XdsType type) {
      send(type, acked.getOrDefault(type, ""), "n", true);
    }

    private void send(XdsType type, String version, String nonce, boolean error) {
      DiscoveryRequest.Builder request = DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type.typeUrl())
          .setVersionInfo(version).setResponseNonce(nonce).addAllResourceNames(names.getOrDefault(type, Set.of()));
      if (error) {
        request.setErrorDetail(com.google.rpc.Status.newBuilder().setMessage("rejected"));
      }
      cache.createWatch(true, XdsRequest.create(request.build()), Set.of(),
          r -> responses.computeIfAbsent(type, t -> new ArrayList<>()).add(r), false, false);
    }

    Response last(XdsType type) {
      List<Response> list = responses.getOrDefault(type, List.of());
      return list.isEmpty() ? null : list.getLast();
    }

    String versionOf(XdsType type) {
      return acked.get(type);
    }

    int responsesSinceSync(XdsType type) {
      return responses.getOrDefault(type, List.of()).size() - synced.getOrDefault(type, 0);
    }
  }

  /** A delta ADS client, tracking resource versions the way java-control-plane's server does for it. */
  private final class DeltaProxy {
    private final Node node;
    private final Map<XdsType, List<DeltaResponse>> responses = new HashMap<>();
    private final Map<XdsType, Map<String, String>> tracked = new HashMap<>();

    DeltaProxy(String id) {
      node = Node.newBuilder().setId(id).setCluster(GROUP).build();
    }

    void subscribe(XdsType type, Set<String> names, Map<String, String> initialVersions) {
      DeltaDiscoveryRequest request = DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type.typeUrl())
          .addAllResourceNamesSubscribe(names).putAllInitialResourceVersions(initialVersions).build();
      watch(type, request, names);
    }

    void ack(XdsType type) {
      DeltaResponse last = last(type);
      Map<String, String> versions = tracked.computeIfAbsent(type, t -> new HashMap<>());
      last.resources().forEach((name, resource) -> versions.put(name, resource.version()));
      last.removedResources().forEach(versions::remove);
      watch(type, DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type.typeUrl()).setResponseNonce("n").build(), Set.of());
    }

    void unsubscribe(XdsType type, Set<String> names) {
      tracked.getOrDefault(type, new HashMap<>()).keySet().removeAll(names);
      watch(type, DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type.typeUrl()).addAllResourceNamesUnsubscribe(names).build(), Set.of());
    }

    void nack(XdsType type) {
      watch(type, DeltaDiscoveryRequest.newBuilder().setNode(node).setTypeUrl(type.typeUrl()).setResponseNonce("n")
          .setErrorDetail(com.google.rpc.Status.newBuilder().setMessage("rejected")).build(), Set.of());
    }

    private void watch(XdsType type, DeltaDiscoveryRequest request, Set<String> pending) {
      cache.createDeltaWatch(DeltaXdsRequest.create(request), "", Map.copyOf(tracked.getOrDefault(type, Map.of())), pending,
          type.wildcard(), r -> responses.computeIfAbsent(type, t -> new ArrayList<>()).add(r), false);
    }

    DeltaResponse last(XdsType type) {
      return responses.get(type).getLast();
    }

    int count(XdsType type) {
      return responses.getOrDefault(type, List.of()).size();
    }
  }
}
