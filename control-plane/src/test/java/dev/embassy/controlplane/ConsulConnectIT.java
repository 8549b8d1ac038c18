package dev.embassy.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.testsupport.ConsulAgent;
import dev.embassy.testsupport.ConsulManagedSidecar;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.DocSnippets;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.RepoPaths;
import dev.embassy.testsupport.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two Embassy sidecars under Consul Connect, each a real Envoy in front of a real app, with
 * certificates from a real {@code consul agent -dev}: web's app calls api through web's outbound
 * listener; web's Envoy presents web's Consul leaf and checks that the peer is api's SPIFFE ID;
 * api's Envoy requires a Consul-signed client certificate and hands the caller's SPIFFE ID to
 * its app (XFCC). A deny intention created through Consul's HTTP API turns the call into a 403
 * from api's RBAC filter; deleting it lets the call through again, and neither re-sends a
 * Listener. A peer with the wrong identity is refused in the handshake, and plaintext never
 * reaches api's app. A CA rotation reaches the Envoys as Secrets alone. With Consul gone the
 * control plane serves what it had and says so. And an Embassy sidecar interoperates with one
 * that Consul manages itself.
 */
@ExtendWith(PostgresExtension.class)
class ConsulConnectIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void sidecarsTalkMutualTlsWithConsulCertificatesUnderIntentions(TestDatabase database) throws Exception {
    int webInbound = FreePorts.one();
    int webOutbound = FreePorts.one();
    int apiInbound = FreePorts.one();
    try (ConsulAgent consul = ConsulAgent.start();
        DemoBackend webApp = DemoBackend.start("web-app");
        DemoBackend apiApp = DemoBackend.start("api-app");
        HikariDataSource dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4)) {
      ConfigSchema.migrate(dataSource);
      // The guide's example, on free ports, plus one impostor: a Connect cluster for api whose
      // endpoint is web's own inbound port, whose certificate says web, so the handshake must fail.
      ConfigDocument guide = ConfigJson.yaml().readValue(DocSnippets.block("guides/consul-connect.md", "connect-config")
          .replace("21000", Integer.toString(webInbound)).replace("21001", Integer.toString(apiInbound))
          .replace("8080", Integer.toString(webApp.port())).replace("9090", Integer.toString(apiApp.port()))
          .replace("15001", Integer.toString(webOutbound)), ConfigDocument.class);
      ConfigDocument extra = ConfigJson.yaml().readValue("""
          clusters:
            - {name: impostor, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}, connect: {service: api}}
          routes:
            - {name: impostor, gateway: web, listener: outbound, hostnames: [impostor], rules: [{backendRefs: [{cluster: impostor}]}]}
          """.formatted(webInbound), ConfigDocument.class);
      new ConfigStore(dataSource).apply(new ConfigDocument(List.of(), List.of(), concat(guide.clusters(), extra.clusters()), List.of(), List.of(),
          guide.gateways(), extra.routes()), true, false, "it", "mesh");

      ControlPlaneConfig config = ControlPlaneConfig.fromEnvironment(Map.of(
          "EMBASSY_XDS_PORT", "0", "EMBASSY_STATUS_PORT", "0", "EMBASSY_LISTENER_ADDRESS", "127.0.0.1", "EMBASSY_REPLICA_ID", "it",
          "EMBASSY_CONSUL_ADDRESS", consul.httpAddress().toString(),
          "EMBASSY_CONSUL_RETRY_MAX", "500ms"));
      try (ControlPlane controlPlane = ControlPlane.start(config, dataSource, "it");
          EnvoyProcess web = sidecar("web", controlPlane);
          EnvoyProcess api = sidecar("api", controlPlane)) {
        web.awaitReady(Duration.ofSeconds(30));
        api.awaitReady(Duration.ofSeconds(30));
        String trustDomain = JSON.readTree(consul.http("GET", "/v1/agent/connect/ca/roots", null)).path("TrustDomain").asText();
        String webId = "spiffe://" + trustDomain + "/ns/default/dc/dc1/svc/web";

        await(() -> get(webOutbound, "api", "/orders").status() == 200, Duration.ofSeconds(20), "web reaches api through the mesh");
        Answer answer = get(webOutbound, "api", "/orders");
        assertThat(answer.backend()).isEqualTo("api-app");
        assertThat(answer.headers().path("x-forwarded-client-cert").asText())
            .as("api's app sees web's verified SPIFFE ID").contains("URI=" + webId);
        assertThat(counter(api, "listener.127.0.0.1_" + apiInbound + ".ssl.handshake")).as("api's inbound TLS handshakes").isPositive();
        assertThat(counter(web, "cluster.api.ssl.handshake")).as("web's upstream TLS handshakes to api").isPositive();
        System.out.printf("connect: web -> api over mTLS as %s (handshakes: api inbound %d, web upstream %d)%n", webId,
            counter(api, "listener.127.0.0.1_" + apiInbound + ".ssl.handshake"), counter(web, "cluster.api.ssl.handshake"));

        // Neither service is registered: Consul still signs their leaves, and health names them.
        await(() -> controlPlane.unknownConnectServices().equals(List.of("api", "web")), Duration.ofSeconds(10),
            "health names the services Consul's catalog lacks: " + controlPlane.unknownConnectServices());
        assertThat(status(controlPlane, "/healthz")).contains("\"connectUnknownServices\":[\"api\",\"web\"]");
        consul.http("PUT", "/v1/agent/service/register", "{\"Name\": \"api\", \"Port\": " + apiApp.port() + "}");
        await(() -> controlPlane.unknownConnectServices().equals(List.of("web")), Duration.ofSeconds(10), "api, once registered, is known");

        assertThat(get(webOutbound, "impostor", "/orders").status()).as("a peer without api's SPIFFE ID").isEqualTo(503);
        assertThat(counter(web, "cluster.impostor.ssl.fail_verify_san")).as("refused for its SAN").isPositive();
        assertThat(plaintextReachesApp(apiInbound)).as("plaintext to api's inbound port").isFalse();

        long listenersModified = counter(api, "listener_manager.listener_modified");
        Instant created = Instant.now();
        // The guide's two curl requests, sent to this agent.
        String requests = DocSnippets.block("guides/consul-connect.md", "deny-intention");
        Matcher put = Pattern.compile("curl -X PUT --data '([^']*)' \\\\\\s*'http://127\\.0\\.0\\.1:8500(/[^']*)'").matcher(requests);
        Matcher delete = Pattern.compile("curl -X DELETE 'http://127\\.0\\.0\\.1:8500(/[^']*)'").matcher(requests);
        assertThat(put.find() && delete.find()).as("the guide's deny-intention requests:\n" + requests).isTrue();
        consul.http("PUT", put.group(2), put.group(1));
        await(() -> get(webOutbound, "api", "/orders").status() == 403, Duration.ofSeconds(10), "the deny intention blocks web -> api");
        long denyMillis = Duration.between(created, Instant.now()).toMillis();
        long apiRequestsBefore = apiApp.requestCount();
        for (int i = 0; i < 20; i++) {
          assertThat(get(webOutbound, "api", "/orders").status()).isEqualTo(403);
        }
        assertThat(apiApp.requestCount()).as("denied requests never reach api's app").isEqualTo(apiRequestsBefore);
        assertThat(counter(api, "http.api-inbound.rbac.denied")).isPositive();

        Instant deleted = Instant.now();
        consul.http("DELETE", delete.group(1), null);
        await(() -> get(webOutbound, "api", "/orders").status() == 200, Duration.ofSeconds(10), "without the intention web reaches api again");
        long allowMillis = Duration.between(deleted, Instant.now()).toMillis();
        assertThat(counter(api, "listener_manager.listener_modified")).as("intentions change routes, not the Listener")
            .isEqualTo(listenersModified);
        System.out.printf("connect: deny intention effective after %d ms, its deletion after %d ms%n", denyMillis, allowMillis);

        // A CA rotation: Consul signs new leaves under a new root, and keeps the old root listed
        // beside it. The new certificates reach both Envoys as Secrets alone.
        String serialBefore = serial(consul.http("GET", "/v1/agent/connect/ca/leaf/web", null));
        long webClustersModified = counter(web, "cluster_manager.cluster_modified");
        long webListenersModified = counter(web, "listener_manager.listener_modified");
        long apiListenersModified = counter(api, "listener_manager.listener_modified");
        Instant rotated = Instant.now();
        consul.http("PUT", "/v1/connect/ca/configuration", "{\"Provider\":\"consul\",\"Config\":{\"PrivateKeyType\":\"rsa\",\"PrivateKeyBits\":2048}}");
        // Consul spreads re-signing over up to 30 s after a rotation (its CA change jitter), so
        // each agent's leaf watch answers somewhen in that window.
        await(() -> {
          java.util.Set<String> held = leafSerials(web);
          return !held.isEmpty() && !held.contains(serialBefore)
              && held.contains(serial(consul.http("GET", "/v1/agent/connect/ca/leaf/web", null)));
        }, Duration.ofSeconds(45), "web's Envoy holds web's new leaf (it held " + serialBefore + ")");
        long rotationMillis = Duration.between(rotated, Instant.now()).toMillis();
        await(() -> get(webOutbound, "api", "/orders").status() == 200, Duration.ofSeconds(5), "web reaches api after the rotation");
        assertThat(JSON.readTree(consul.http("GET", "/v1/agent/connect/ca/roots", null)).path("Roots").size())
            .as("old and new roots listed during the rotation").isGreaterThanOrEqualTo(2);
        assertThat(counter(web, "cluster_manager.cluster_modified")).as("the rotation re-sends no Cluster").isEqualTo(webClustersModified);
        assertThat(counter(web, "listener_manager.listener_modified")).as("nor a Listener of web").isEqualTo(webListenersModified);
        assertThat(counter(api, "listener_manager.listener_modified")).as("nor a Listener of api").isEqualTo(apiListenersModified);
        System.out.printf("connect: CA rotation to web's Envoy holding the new leaf: %d ms, no Listener or Cluster re-sent%n", rotationMillis);

        ServedConfigValidation.assertEnvoyAccepts(controlPlane, "web");
        ServedConfigValidation.assertEnvoyAccepts(controlPlane, "api");

        consul.kill();
        await(() -> !controlPlane.failingConnect().isEmpty(), Duration.ofSeconds(15), "health reports the failing Connect watches");
        assertThat(status(controlPlane, "/healthz")).contains("\"connect\":\"failing\"");
        assertThat(status(controlPlane, "/metrics")).contains("embassy_connect_degraded 1.0");
        assertThat(get(webOutbound, "api", "/orders").status()).as("the last identities keep serving while Consul is down").isEqualTo(200);
      }
    }
  }

  /**
   * Interop: an Embassy sidecar and an Embassy edge gateway (state of the world, this time) call a
   * service whose sidecar Consul itself manages ({@code consul connect envoy}, config from the
   * agent's xDS). Consul's Envoy accepts their Embassy-served leaves and applies Consul's
   * intentions to each identity; Embassy's Envoys find Consul's Envoy through Consul
   * ({@code /v1/health/connect/backend}) and accept it only as backend's SPIFFE ID.
   */
  @Test
  void embassySidecarsAndEdgesCallAConsulManagedSidecar(TestDatabase database) throws Exception {
    int webInbound = FreePorts.one();
    int webOutbound = FreePorts.one();
    int backendSidecar = FreePorts.one();
    int edgePort = FreePorts.one();
    try (ConsulAgent consul = ConsulAgent.start();
        DemoBackend webApp = DemoBackend.start("web-app");
        DemoBackend backendApp = DemoBackend.start("backend-app");
        HikariDataSource dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4)) {
      consul.http("PUT", "/v1/agent/service/register", """
          {"Name": "backend", "ID": "backend-1", "Address": "127.0.0.1", "Port": %d,
           "Connect": {"SidecarService": {"Address": "127.0.0.1", "Port": %d}}}""".formatted(backendApp.port(), backendSidecar));
      ConfigSchema.migrate(dataSource);
      new ConfigStore(dataSource).apply(ConfigJson.yaml().readValue("""
          clusters:
            # Found through Consul: /v1/health/connect/backend lists backend's sidecar, not backend itself.
            - {name: backend, discovery: {consul: {service: backend}}, connect: {service: backend}}
          gateways:
            - name: web
              nodeGroup: web
              sidecar:
                inbound: {port: %d, appPort: %d}
                outbound: {port: %d, clusters: [backend]}
                connect: {service: web}
            # An edge gateway with an identity of its own, for outbound Connect calls.
            - name: edge
              nodeGroup: edge
              listeners: [{name: http, port: %d}]
              connect: {service: edge}
          routes:
            - {name: items, gateway: edge, rules: [{matches: [{path: {value: /items}}], backendRefs: [{cluster: backend}]}]}
          """.formatted(webInbound, webApp.port(), webOutbound, edgePort), ConfigDocument.class), true, false, "it", "interop");
      // Consul's network RBAC decides when a connection opens, and Envoy keeps upstream
      // connections: so the deny comes first, and its deletion lets the next connection through.
      consul.http("PUT", "/v1/connect/intentions/exact?source=web&destination=backend", "{\"Action\":\"deny\"}");
      ControlPlaneConfig config = ControlPlaneConfig.fromEnvironment(Map.of(
          "EMBASSY_XDS_PORT", "0", "EMBASSY_STATUS_PORT", "0", "EMBASSY_LISTENER_ADDRESS", "127.0.0.1", "EMBASSY_REPLICA_ID", "it",
          "EMBASSY_CONSUL_ADDRESS", consul.httpAddress().toString()));
      try (ConsulManagedSidecar backend = ConsulManagedSidecar.start(consul, "backend-1").awaitReady(Duration.ofSeconds(30));
          ControlPlane controlPlane = ControlPlane.start(config, dataSource, "it");
          EnvoyProcess web = sidecar("web", controlPlane);
          EnvoyProcess edge = EnvoyProcess.start(RepoPaths.envoyBootstrap("edge.yaml"), Map.of(
              "ENVOY_NODE_ID", "edge-1", "ENVOY_NODE_GROUP", "edge", "ENVOY_XDS_API_TYPE", "GRPC",
              "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(controlPlane.xdsPort())))) {
        web.awaitReady(Duration.ofSeconds(30));
        edge.awaitReady(Duration.ofSeconds(30));
        await(() -> get(webOutbound, "backend", "/items").status() == 503 && denied(backend.admin("/stats")) > 0, Duration.ofSeconds(20),
            "Consul's sidecar denies web's verified identity");
        assertThat(backendApp.requestCount()).as("nothing reached backend's app").isZero();
        assertThat(web.admin("/clusters")).as("backend's endpoint is its sidecar, from /v1/health/connect")
            .contains("backend::127.0.0.1:" + backendSidecar + "::").doesNotContain("backend::127.0.0.1:" + backendApp.port() + "::");
        // The edge's identity has no deny intention: Consul's sidecar tells the two apart.
        await(() -> get(edgePort, "shop.example.com", "/items").status() == 200, Duration.ofSeconds(20),
            "the edge gateway reaches backend through Consul's sidecar");
        assertThat(get(edgePort, "shop.example.com", "/items").backend()).isEqualTo("backend-app");
        assertThat(counter(edge, "cluster.backend.ssl.handshake")).as("the edge's TLS handshakes to Consul's sidecar").isPositive();

        Instant deleted = Instant.now();
        consul.http("DELETE", "/v1/connect/intentions/exact?source=web&destination=backend", null);
        await(() -> get(webOutbound, "backend", "/items").status() == 200, Duration.ofSeconds(20),
            "without the intention web reaches backend through Consul's sidecar");
        long allowMillis = Duration.between(deleted, Instant.now()).toMillis();
        assertThat(get(webOutbound, "backend", "/items").backend()).isEqualTo("backend-app");
        long consulHandshakes = counter(backend.admin("/stats"), "listener.127.0.0.1_" + backendSidecar + ".ssl.handshake");
        assertThat(consulHandshakes).as("Consul's Envoy took web's certificate").isPositive();
        assertThat(counter(web, "cluster.backend.ssl.handshake")).isPositive();
        System.out.printf("connect interop: Embassy web and edge -> Consul-managed backend sidecar over mTLS (%d handshakes, %d denied while "
            + "the deny intention stood); allowed %d ms after its deletion%n", consulHandshakes, denied(backend.admin("/stats")), allowMillis);
      }
    }
  }

  /**
   * Interop the other way: a sidecar Consul manages calls an Embassy sidecar. Embassy's api
   * sidecar is registered in Consul as api's connect-proxy, so Consul's Envoy finds it by EDS,
   * verifies it as api's SPIFFE ID, and presents the client's Consul leaf, which Embassy's
   * inbound listener accepts and checks against Consul's intentions.
   */
  @Test
  void aConsulManagedSidecarCallsAnEmbassySidecar(TestDatabase database) throws Exception {
    int apiInbound = FreePorts.one();
    int clientSidecar = FreePorts.one();
    int upstream = FreePorts.one();
    try (ConsulAgent consul = ConsulAgent.start();
        DemoBackend apiApp = DemoBackend.start("api-app");
        DemoBackend clientApp = DemoBackend.start("client-app");
        HikariDataSource dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4)) {
      consul.http("PUT", "/v1/agent/service/register", """
          {"Name": "api", "ID": "api-1", "Address": "127.0.0.1", "Port": %d}""".formatted(apiApp.port()));
      // The guide's registration of Embassy's sidecar as api's connect-proxy.
      consul.http("PUT", "/v1/agent/service/register", DocSnippets.block("guides/consul-connect.md", "connect-proxy-registration")
          .replace("21001", Integer.toString(apiInbound)).replace("9090", Integer.toString(apiApp.port())));
      consul.http("PUT", "/v1/agent/service/register", """
          {"Name": "client", "ID": "client-1", "Address": "127.0.0.1", "Port": %d,
           "Connect": {"SidecarService": {"Address": "127.0.0.1", "Port": %d, "Proxy": {"Upstreams": [
             {"DestinationName": "api", "LocalBindAddress": "127.0.0.1", "LocalBindPort": %d}]}}}}"""
          .formatted(clientApp.port(), clientSidecar, upstream));
      ConfigSchema.migrate(dataSource);
      new ConfigStore(dataSource).apply(ConfigJson.yaml().readValue("""
          gateways:
            - name: api
              nodeGroup: api
              sidecar:
                inbound: {port: %d, appPort: %d}
                connect: {service: api}
          """.formatted(apiInbound, apiApp.port()), ConfigDocument.class), true, false, "it", "interop");
      ControlPlaneConfig config = ControlPlaneConfig.fromEnvironment(Map.of(
          "EMBASSY_XDS_PORT", "0", "EMBASSY_STATUS_PORT", "0", "EMBASSY_LISTENER_ADDRESS", "127.0.0.1", "EMBASSY_REPLICA_ID", "it",
          "EMBASSY_CONSUL_ADDRESS", consul.httpAddress().toString()));
      try (ControlPlane controlPlane = ControlPlane.start(config, dataSource, "it");
          EnvoyProcess api = sidecar("api", controlPlane);
          ConsulManagedSidecar client = ConsulManagedSidecar.start(consul, "client-1").awaitReady(Duration.ofSeconds(30))) {
        api.awaitReady(Duration.ofSeconds(30));
        await(() -> get(upstream, "api", "/orders").status() == 200, Duration.ofSeconds(20),
            "client's Consul sidecar reaches api through Embassy's sidecar");
        Answer answer = get(upstream, "api", "/orders");
        assertThat(answer.backend()).isEqualTo("api-app");
        assertThat(answer.headers().path("x-forwarded-client-cert").asText()).as("api's app sees client's Consul identity")
            .containsPattern("URI=spiffe://[^/]+\\.consul/ns/default/dc/dc1/svc/client");
        assertThat(counter(api, "listener.127.0.0.1_" + apiInbound + ".ssl.handshake")).isPositive();

        Instant created = Instant.now();
        consul.http("PUT", "/v1/connect/intentions/exact?source=client&destination=api", "{\"Action\":\"deny\"}");
        await(() -> get(upstream, "api", "/orders").status() == 403, Duration.ofSeconds(10),
            "Embassy's RBAC refuses client under a deny intention");
        System.out.printf("connect interop: Consul-managed client sidecar -> Embassy api sidecar over mTLS as %s; deny effective after %d ms%n",
            answer.headers().path("x-forwarded-client-cert").asText().replaceAll(".*URI=", ""), Duration.between(created, Instant.now()).toMillis());
      }
    }
  }

  /** The serial numbers of the leaf certificates Envoy holds (admin /certs), normalised like {@link #serial}. */
  private static java.util.Set<String> leafSerials(EnvoyProcess envoy) {
    java.util.Set<String> serials = new java.util.TreeSet<>();
    try {
      for (JsonNode certificate : JSON.readTree(envoy.admin("/certs")).path("certificates")) {
        for (JsonNode chain : certificate.path("cert_chain")) {
          serials.add(chain.path("serial_number").asText().replace(":", "").toLowerCase().replaceFirst("^0+(?=.)", ""));
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return serials;
  }

  /** The leaf's serial number as Envoy's /certs prints it: lowercase hex without colons or leading zeros. */
  private static String serial(String leafJson) {
    try {
      return JSON.readTree(leafJson).path("SerialNumber").asText().replace(":", "").toLowerCase().replaceFirst("^0+(?=.)", "");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static EnvoyProcess sidecar(String service, ControlPlane controlPlane) {
    return EnvoyProcess.start(RepoPaths.envoyBootstrap("sidecar.yaml"), Map.of(
        "ENVOY_NODE_ID", service + "-1", "ENVOY_NODE_GROUP", service, "ENVOY_XDS_API_TYPE", "DELTA_GRPC",
        "EMBASSY_XDS_HOST", "127.0.0.1", "EMBASSY_XDS_PORT", Integer.toString(controlPlane.xdsPort())));
  }

  /** Connections or requests an Envoy's RBAC filters denied, whatever their stat prefix. */
  private static long denied(String stats) {
    return stats.lines().filter(l -> l.contains("rbac") && l.contains(".denied: "))
        .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static long counter(String stats, String name) {
    return stats.lines().filter(l -> l.startsWith(name + ": ")).mapToLong(l -> Long.parseLong(l.substring(name.length() + 2).strip()))
        .findFirst().orElse(0);
  }

  private static long counter(EnvoyProcess envoy, String name) {
    String filter = java.net.URLEncoder.encode("^" + name.replace(".", "\\.") + "$", StandardCharsets.UTF_8);
    String line = envoy.admin("/stats?filter=" + filter).strip();
    return line.isEmpty() ? 0 : Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
  }

  private static String status(ControlPlane controlPlane, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controlPlane.statusPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** Whether an HTTP request sent in the clear gets any HTTP answer (Envoy's TLS listener must just drop it). */
  private static boolean plaintextReachesApp(int port) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(3_000);
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] start = socket.getInputStream().readNBytes(5);
      return new String(start, StandardCharsets.US_ASCII).startsWith("HTTP/");
    } catch (IOException e) {
      return false;
    }
  }

  private record Answer(int status, String backend, JsonNode headers) {}

  /** A plain HTTP/1.1 GET with a chosen Host header (java.net.http does not let one set Host). */
  private static Answer get(int port, String host, String path) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      in.transferTo(response);
      String text = response.toString(StandardCharsets.UTF_8);
      int status = Integer.parseInt(text.substring(9, 12));
      String body = text.substring(text.indexOf("\r\n\r\n") + 4);
      if (status != 200) {
        return new Answer(status, "", JSON.createObjectNode());
      }
      JsonNode json = JSON.readTree(body);
      return new Answer(status, json.path("backend").asText(), json.path("headers"));
    } catch (IOException | RuntimeException e) {
      return new Answer(-1, String.valueOf(e), JSON.createObjectNode());
    }
  }

  private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out after " + timeout + " waiting until " + what);
  }
}
