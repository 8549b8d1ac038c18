package dev.embassy.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ProxyStatuses;
import dev.embassy.controlplane.cache.GroupSnapshot;
import dev.embassy.controlplane.cache.XdsCache;
import dev.embassy.controlplane.cache.XdsType;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.controlplane.ir.NodeGroupBuilder;
import dev.embassy.controlplane.status.ProxyStatusReporter;
import dev.embassy.controlplane.translate.XdsResources;
import dev.embassy.controlplane.translate.XdsTranslator;
import dev.embassy.controlplane.xds.AdsServer;
import dev.embassy.controlplane.xds.ProxyRegistry;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.RepoPaths;
import dev.embassy.testsupport.TestDatabase;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real Envoy rejects a RouteConfiguration (a regex RE2 refuses, bypassing the API's validation
 * on purpose): the NACK is recorded with its detail and reaches Postgres for the admin API, the
 * rejected version is not re-sent in a loop, Envoy keeps routing on its last good config, the node
 * group is withdrawn to the last good version (an Envoy joining later never sees the rejected
 * one), and a corrected version is ACKed.
 */
@ExtendWith(PostgresExtension.class)
class NackHandlingIT {
  private static final String ROUTES = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @ParameterizedTest(name = "api_type {0}")
  @ValueSource(strings = {"GRPC", "DELTA_GRPC"})
  void nackIsRecordedNotLoopedAndLastGoodConfigKeepsServing(String apiType, TestDatabase database) throws Exception {
    int listenerPort = FreePorts.one();
    try (DemoBackend backend = DemoBackend.start("good");
        HikariDataSource dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 2)) {
      ConfigSchema.migrate(dataSource);
      ProxyStatuses statuses = new ProxyStatuses(dataSource);
      ConfigDocument document = ConfigJson.yaml().readValue("""
          clusters: [{name: good, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}]
          gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: %d}]}]
          routes: [{name: all, gateway: edge, rules: [{backendRefs: [{cluster: good}]}]}]
          """.formatted(backend.port(), listenerPort), ConfigDocument.class);
      XdsResources good = XdsTranslator.translate(NodeGroupBuilder.build(document, dev.embassy.controlplane.ir.TranslationSettings.defaults("127.0.0.1"), EndpointSource.NONE).getFirst());

      XdsCache cache = new XdsCache(Clock.systemUTC());
      cache.publish(GroupSnapshot.of(good, 1, null));
      cache.loaded();
      ProxyStatusReporter[] reporter = new ProxyStatusReporter[1];
      ProxyRegistry registry = new ProxyRegistry(Clock.systemUTC(), new dev.embassy.controlplane.status.ControlPlaneMetrics(), new dev.embassy.controlplane.xds.ServedRevisions(), nack -> reporter[0].nack(nack));
      reporter[0] = new ProxyStatusReporter("it-replica", registry, statuses, new dev.embassy.config.store.Quarantines(dataSource), () -> -1).start();
      String proxyId = "nack-" + apiType.toLowerCase();
      try (ProxyStatusReporter ignored = reporter[0];
          AdsServer ads = AdsServer.start("127.0.0.1", 0, cache, List.of(cache.streamTracker(), registry));
          EnvoyProcess envoy = EnvoyProcess.start(RepoPaths.envoyBootstrap("edge.yaml"), Map.of(
              "ENVOY_NODE_ID", proxyId, "ENVOY_NODE_GROUP", "edge", "ENVOY_XDS_API_TYPE", apiType,
              "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(ads.port())))) {
        envoy.awaitReady(Duration.ofSeconds(30));
        assertThat(status(listenerPort)).isEqualTo(200);
        String goodRouteVersion = cache.target("edge").orElseThrow().resources(XdsType.ROUTE).get("edge-http").version();

        // Publish a RouteConfiguration Envoy must reject: a backreference RE2 cannot compile.
        RouteConfiguration routes = good.routes().getFirst();
        RouteConfiguration bad = routes.toBuilder().setVirtualHosts(0, routes.getVirtualHosts(0).toBuilder()
            .setRoutes(0, routes.getVirtualHosts(0).getRoutes(0).toBuilder()
                .setMatch(RouteMatch.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex("(a)\\1"))))).build();
        cache.publish(GroupSnapshot.of(new XdsResources("edge", good.listeners(), List.of(bad), good.clusters(), good.endpoints(), good.secrets()),
            2, cache.target("edge").orElseThrow()));
        String badRouteVersion = cache.target("edge").orElseThrow().resources(XdsType.ROUTE).get("edge-http").version();

        ProxyRegistry.Nack nack = awaitNack(registry, proxyId);
        assertThat(nack.typeUrl()).isEqualTo(ROUTES);
        assertThat(nack.detail()).isNotBlank();

        // No loop: over two seconds the rejected version is not sent again and again.
        long responses = registry.responseCount();
        Thread.sleep(2_000);
        assertThat(registry.responseCount() - responses).as("responses sent after the NACK").isLessThanOrEqualTo(1);
        // Envoy keeps serving its last accepted configuration, and the node group is withdrawn to it.
        assertThat(status(listenerPort)).isEqualTo(200);
        assertThat(heldRouteVersion(cache, proxyId)).isEqualTo(goodRouteVersion);
        assertThat(cache.rejections("edge")).containsKey(XdsType.ROUTE);
        assertThat(cache.withdrawnVersions()).isEqualTo(1);
        assertThat(cache.served("edge").orElseThrow().resources(XdsType.ROUTE).get("edge-http").version()).isEqualTo(goodRouteVersion);
        ServedConfigValidation.assertEnvoyAccepts(cache, "edge");

        // Another Envoy of the same node group that connects now is served the last good version,
        // never the rejected one.
        try (EnvoyProcess late = EnvoyProcess.start(RepoPaths.envoyBootstrap("edge.yaml"), Map.of(
            "ENVOY_NODE_ID", proxyId + "-late", "ENVOY_NODE_GROUP", "edge", "ENVOY_XDS_API_TYPE", apiType,
            "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(ads.port())))) {
          // Both Envoys bind the listener port: Envoy listeners use SO_REUSEPORT by default.
          late.awaitReady(Duration.ofSeconds(30));
          awaitTrue(() -> goodRouteVersion.equals(heldRouteVersion(cache, proxyId + "-late")), "late Envoy holds the last good routes");
          assertThat(registry.proxies().stream().filter(p -> p.proxyId().equals(proxyId + "-late")).findFirst().orElseThrow().lastNack())
              .as("the late Envoy never saw the rejected version").isEmpty();
          assertThat(late.admin("/stats?filter=rds.*update_rejected")).doesNotContain("update_rejected: 1");
        }

        // The NACK reaches Postgres, where the admin API reads it.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (statuses.nacks(proxyId, 10).isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(statuses.nacks(proxyId, 10)).first().satisfies(n -> assertThat(n.typeUrl()).isEqualTo(ROUTES));
        assertThat(statuses.live()).extracting(ProxyStatuses.Proxy::proxyId).contains(proxyId);

        // A corrected version is sent and ACKed, and lifts the withdrawal.
        cache.publish(GroupSnapshot.of(withRouteName(good, "fixed"), 3, cache.target("edge").orElseThrow()));
        String fixedVersion = cache.target("edge").orElseThrow().resources(XdsType.ROUTE).get("edge-http").version();
        assertThat(fixedVersion).isNotEqualTo(badRouteVersion).isNotEqualTo(goodRouteVersion);
        awaitTrue(() -> fixedVersion.equals(heldRouteVersion(cache, proxyId)), "fixed routes ACKed");
        assertThat(cache.rejections("edge")).isEmpty();
        assertThat(cache.withdrawnVersions()).isZero();
        assertThat(status(listenerPort)).isEqualTo(200);
      }
    }
  }

  private static String heldRouteVersion(XdsCache cache, String proxyId) {
    return cache.held(proxyId).map(h -> h.get(XdsType.ROUTE).get("edge-http")).map(r -> r.version()).orElse("");
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(20);
    }
  }

  private static XdsResources withRouteName(XdsResources good, String name) {
    RouteConfiguration routes = good.routes().getFirst();
    RouteConfiguration renamed = routes.toBuilder().setVirtualHosts(0, routes.getVirtualHosts(0).toBuilder()
        .setRoutes(0, routes.getVirtualHosts(0).getRoutes(0).toBuilder().setName(name))).build();
    return new XdsResources(good.nodeGroup(), good.listeners(), List.of(renamed), good.clusters(), good.endpoints(), good.secrets());
  }

  private static ProxyRegistry.Nack awaitNack(ProxyRegistry registry, String proxyId) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      var nack = registry.proxies().stream().filter(p -> p.proxyId().equals(proxyId)).flatMap(p -> p.lastNack().stream()).findFirst();
      if (nack.isPresent()) {
        return nack.get();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no NACK recorded; proxies: " + registry.proxies());
  }

  private static int status(int port) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x")).timeout(Duration.ofSeconds(2)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
