package dev.embassy.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.controlplane.cache.XdsType;
import dev.embassy.testsupport.BootstrapTemplate;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.DocSnippets;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.RepoPaths;
import dev.embassy.testsupport.TestCertificates;
import dev.embassy.testsupport.TestDatabase;
import dev.embassy.testsupport.TlsContexts;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ADS port secured as docs/operations/secure-channels.md says: a control plane started
 * with the page's variables (mTLS plus node group tokens), a real Envoy bootstrapped from
 * envoy/bootstrap/edge.yaml plus the page's two snippets, and grpc-java clients that present
 * other identities. Certificates are minted per run.
 */
@ExtendWith(PostgresExtension.class)
class SecureXdsIT {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private static final String DOC = "operations/secure-channels.md";
  private static final String EDGE_TOKEN = "edge-token-4b1c7e0d9a8f6e5d4c3b2a1f0e9d8c7b";
  private static final String PAYMENTS_TOKEN = "payments-token-0a1b2c3d4e5f60718293a4b5c6d7e8f9";

  private static Path dir;
  private static TestCertificates ca;
  private static Path caFile;
  private static TestCertificates.Issued server;
  private static TestCertificates.Issued edge;
  private static DemoBackend backend;
  private static HikariDataSource dataSource;
  private static ControlPlane controlPlane;
  private static EnvoyProcess envoy;
  private static int listenerPort;

  @BeforeAll
  static void start(TestDatabase database) throws Exception {
    dir = Files.createTempDirectory("embassy-secure-xds-");
    ca = TestCertificates.authority("embassy-test-ca");
    caFile = ca.writeCertificate(dir.resolve("ca.crt"));
    server = ca.server(dir, "xds-server");
    edge = ca.client(dir, "edge", documentedSpiffeId());
    Path tokens = Files.writeString(dir.resolve("node-tokens"),
        "edge sha256:" + sha256(EDGE_TOKEN) + "\npayments sha256:" + sha256(PAYMENTS_TOKEN) + "\n");

    backend = DemoBackend.start("secure");
    listenerPort = FreePorts.one();
    dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 4);
    ConfigSchema.migrate(dataSource);
    new ConfigStore(dataSource).apply(ConfigJson.yaml().readValue("""
        clusters:
          - {name: secure, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
        gateways:
          - {name: edge, nodeGroup: edge, listeners: [{name: http, port: %d}]}
          - {name: payments, nodeGroup: payments, listeners: [{name: http, port: %d}]}
        routes:
          - {name: all, gateway: edge, rules: [{backendRefs: [{cluster: secure}]}]}
        """.formatted(backend.port(), listenerPort, FreePorts.one()), ConfigDocument.class), true, false, "it", "seed");

    // The page's variables, each pointed at this run's files.
    Map<String, Path> files = Map.of("EMBASSY_XDS_TLS_CERT", server.certificate(), "EMBASSY_XDS_TLS_KEY", server.privateKey(),
        "EMBASSY_XDS_TLS_CLIENT_CA", caFile, "EMBASSY_XDS_NODE_TOKENS", tokens);
    Map<String, String> env = new HashMap<>(Map.of("EMBASSY_XDS_PORT", "0", "EMBASSY_STATUS_PORT", "0",
        "EMBASSY_LISTENER_ADDRESS", "127.0.0.1", "EMBASSY_REPLICA_ID", "secure-it", "EMBASSY_XDS_TLS_RELOAD", "200ms"));
    Map<String, String> documented = new HashMap<>(DocSnippets.variables(DOC, "xds-tls-env"));
    documented.putAll(DocSnippets.variables(DOC, "xds-tokens-env"));
    documented.remove("EMBASSY_XDS_BIND");
    assertThat(documented.keySet()).as("the variables the page sets").containsExactlyInAnyOrderElementsOf(files.keySet());
    documented.keySet().forEach(name -> env.put(name, files.get(name).toString()));
    controlPlane = ControlPlane.start(ControlPlaneConfig.fromEnvironment(env), dataSource, "secure-it");

    int adminPort = FreePorts.one();
    envoy = EnvoyProcess.startRendered(securedBootstrap(Map.of(
        "ENVOY_NODE_ID", "secure-edge",
        "ENVOY_NODE_GROUP", "edge",
        "ENVOY_ADMIN_PORT", Integer.toString(adminPort),
        "ENVOY_XDS_API_TYPE", "DELTA_GRPC",
        "EMBASSY_XDS_HOST", "127.0.0.1",
        "EMBASSY_XDS_PORT", Integer.toString(controlPlane.xdsPort()),
        "EMBASSY_XDS_SERVER_NAME", "localhost",
        "ENVOY_XDS_CERT", edge.certificate().toString(),
        "ENVOY_XDS_KEY", edge.privateKey().toString(),
        "EMBASSY_XDS_CA", caFile.toString()), EDGE_TOKEN), adminPort);
    envoy.awaitReady(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable part : new AutoCloseable[] {envoy, controlPlane, dataSource, backend}) {
      try {
        if (part != null) {
          part.close();
        }
      } catch (Exception e) {
        System.err.println("closing " + part + ": " + e);
      }
    }
  }

  /** The page's openssl commands, run as they are against this test's client CA, make a certificate that is served as edge. */
  @Test
  void theDocumentedOpensslCommandsMakeACertificateServedAsEdge() throws Exception {
    Path work = Files.createDirectories(dir.resolve("openssl"));
    ca.writeCertificate(work.resolve("client-ca.crt"));
    ca.writePrivateKey(work.resolve("client-ca.key"));
    // bash, not sh: the page's -extfile <(...) is a bash process substitution.
    Process openssl = new ProcessBuilder("bash", "-euo", "pipefail", "-c", DocSnippets.block(DOC, "openssl-client-certificate"))
        .directory(work.toFile()).redirectErrorStream(true).start();
    String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(openssl.waitFor()).as("the page's openssl commands: " + output).isZero();
    ChannelCredentials documented = TlsChannelCredentials.newBuilder().trustManager(caFile.toFile())
        .keyManager(work.resolve("edge.crt").toFile(), work.resolve("edge.pkcs8.key").toFile()).build();
    try (Client client = Client.open(documented, EDGE_TOKEN)) {
      assertThat(client.sotw("edge")).as("a certificate made by the page's commands").isInstanceOf(DiscoveryResponse.class);
    }
  }

  /** The example SPIFFE ID the page gives for edge ({@code e.g. spiffe://...}), which edge's test certificate carries. */
  private static String documentedSpiffeId() {
    Matcher example = Pattern.compile("e\\.g\\. (spiffe://\\S+)").matcher(DocSnippets.block(DOC, "spiffe-id"));
    assertThat(example.find()).as("the spiffe-id block gives an example").isTrue();
    return example.group(1);
  }

  @Test
  void envoyOverMtlsWithItsTokenIsServedItsGroupAndRoutesARequest() throws Exception {
    assertThat(new ObjectMapper().readTree(awaitOk("/hello").body()).path("backend").asText()).isEqualTo("secure");
    assertThat(envoyStats().get("cluster.embassy_xds.ssl.handshake")).as("the ADS connection is TLS").isPositive();
    assertThat(controlPlane.cache().held("secure-edge").orElseThrow().get(XdsType.CLUSTER)).containsKey("secure");
  }

  @Test
  void aNodeAskingForAnotherGroupIsRefusedOverSotwAndDelta() throws Exception {
    String series = DocSnippets.block(DOC, "refused-metric").strip();
    double before = sample(series);
    try (Client client = Client.open(edgeCredentials(), EDGE_TOKEN)) {
      Object own = client.sotw("edge");
      assertThat(own).as("the same client, asking for its own group, is served").isInstanceOf(DiscoveryResponse.class);
      assertThat(((DiscoveryResponse) own).getResourcesCount()).isPositive();

      Status sotw = (Status) client.sotw("payments");
      assertThat(sotw.getCode() + ": " + sotw.getDescription()).as("the refusal the page shows")
          .isEqualTo(DocSnippets.block(DOC, "refusal").strip());
      Status delta = (Status) client.delta("payments");
      assertThat(delta.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(delta.getDescription()).contains("\"payments\"", "\"edge\"");
    }
    assertThat(sample(series) - before).as(series).isEqualTo(2.0);
  }

  @Test
  void clientsWithoutAnAcceptedCertificateAreRefused() throws Exception {
    // No client certificate, or one from another CA: the handshake fails, gRPC never starts.
    try (Client client = Client.open(TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build(), EDGE_TOKEN)) {
      assertThat(((Status) client.sotw("edge")).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }
    TestCertificates.Issued foreign = TestCertificates.authority("another-ca").client(dir, "foreign", "spiffe://embassy/node-group/edge");
    try (Client client = Client.open(credentials(foreign), EDGE_TOKEN)) {
      assertThat(((Status) client.sotw("edge")).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }
    try (Client client = Client.open(InsecureChannelCredentials.create(), EDGE_TOKEN)) {
      assertThat(((Status) client.sotw("edge")).getCode()).as("plaintext").isEqualTo(Status.Code.UNAVAILABLE);
    }
    // The right CA, but no node group in the certificate.
    double before = refused("no_node_group_identity");
    try (Client client = Client.open(credentials(ca.client(dir, "anonymous")), EDGE_TOKEN)) {
      Status status = (Status) client.sotw("edge");
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription()).contains("spiffe://embassy/node-group/<node group>");
    }
    assertThat(refused("no_node_group_identity") - before).isEqualTo(1.0);
  }

  @Test
  void aMissingTokenOrAnotherGroupsTokenIsRefused() throws Exception {
    double missing = refused("missing_token");
    double conflict = refused("identity_conflict");
    try (Client client = Client.open(edgeCredentials(), null)) {
      assertThat(((Status) client.sotw("edge")).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
    try (Client client = Client.open(edgeCredentials(), PAYMENTS_TOKEN)) {
      Status status = (Status) client.delta("payments");
      assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(status.getDescription()).isEqualTo("the client certificate names node group \"edge\" but the token is node group \"payments\"'s");
    }
    assertThat(refused("missing_token") - missing).isEqualTo(1.0);
    assertThat(refused("identity_conflict") - conflict).isEqualTo(1.0);
  }

  @Test
  void aRotatedServerCertificateIsServedToNewConnectionsWithoutARestartOnceItsKeyMatches() throws Exception {
    assertThat(servedSerial()).isEqualTo(server.x509().getSerialNumber());
    long handshakes = envoyStats().get("cluster.embassy_xds.ssl.handshake");
    Path staging = Files.createDirectories(dir.resolve("staging"));
    TestCertificates.Issued next = ca.server(staging, "xds-server");

    // The key lands first, as a non-atomic writer would do it: the pair no longer matches, and the
    // old certificate must keep serving rather than break every new handshake.
    Files.move(next.privateKey(), server.privateKey(), StandardCopyOption.REPLACE_EXISTING);
    Thread.sleep(600); // three reload periods of 200 ms
    assertThat(servedSerial()).as("a certificate with another certificate's key is not installed").isEqualTo(server.x509().getSerialNumber());
    try (Client client = Client.open(edgeCredentials(), EDGE_TOKEN)) {
      assertThat(client.sotw("edge")).as("new clients are still served meanwhile").isInstanceOf(DiscoveryResponse.class);
    }

    long written = System.nanoTime();
    Files.move(next.certificate(), server.certificate(), StandardCopyOption.REPLACE_EXISTING);
    long deadline = written + TimeUnit.SECONDS.toNanos(5);
    while (!servedSerial().equals(next.x509().getSerialNumber())) {
      assertThat(System.nanoTime()).as("the rotated certificate is served within 5 s at a 200 ms reload").isLessThan(deadline);
      Thread.sleep(20);
    }
    System.out.printf("xDS server certificate rotation: served to new connections %d ms after the file was replaced%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written));
    try (Client client = Client.open(edgeCredentials(), EDGE_TOKEN)) {
      assertThat(client.sotw("edge")).as("a new client verifies the new certificate").isInstanceOf(DiscoveryResponse.class);
    }
    // Envoy's ADS connection was set up before the rotation and stays up: no new handshake, still routing.
    assertThat(new ObjectMapper().readTree(awaitOk("/hello").body()).path("backend").asText()).isEqualTo("secure");
    assertThat(envoyStats().get("cluster.embassy_xds.ssl.handshake")).isEqualTo(handshakes);
  }

  /** The serial of the certificate a fresh TLS connection to the ADS port is served (a new context each time: no session resumption). */
  private static BigInteger servedSerial() throws Exception {
    SSLContext context = TlsContexts.client(ca.certificate(), Optional.of(edge));
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", controlPlane.xdsPort())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setApplicationProtocols(new String[] {"h2"});
      socket.setSSLParameters(parameters);
      socket.setSoTimeout(5000);
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  /** envoy/bootstrap/edge.yaml with the page's transport socket and token snippets applied where the page says. */
  private static String securedBootstrap(Map<String, String> values, String token) throws IOException {
    Map<String, String> all = new HashMap<>(values);
    all.put("ENVOY_XDS_TOKEN", token);
    ObjectNode bootstrap = (ObjectNode) YAML.readTree(BootstrapTemplate.render(RepoPaths.envoyBootstrap("edge.yaml"), all));
    ObjectNode transport = (ObjectNode) YAML.readTree(BootstrapTemplate.render(DocSnippets.block(DOC, "envoy-xds-transport-socket"), all, DOC));
    ObjectNode metadata = (ObjectNode) YAML.readTree(BootstrapTemplate.render(DocSnippets.block(DOC, "envoy-xds-token"), all, DOC));
    ObjectNode xdsCluster = null;
    for (var cluster : (ArrayNode) bootstrap.path("static_resources").path("clusters")) {
      if (cluster.path("name").asText().equals("embassy_xds")) {
        xdsCluster = (ObjectNode) cluster;
      }
    }
    assertThat(xdsCluster).as("edge.yaml's embassy_xds cluster").isNotNull();
    xdsCluster.setAll(transport);
    ((ObjectNode) bootstrap.path("dynamic_resources").path("ads_config").path("grpc_services").get(0)).setAll(metadata);
    return YAML.writeValueAsString(bootstrap);
  }

  private static ChannelCredentials edgeCredentials() throws IOException {
    return credentials(edge);
  }

  private static ChannelCredentials credentials(TestCertificates.Issued client) throws IOException {
    return TlsChannelCredentials.newBuilder().trustManager(caFile.toFile())
        .keyManager(client.certificate().toFile(), client.privateKey().toFile()).build();
  }

  /** A grpc-java ADS client: each call opens a stream, sends one CDS request, and returns the first response or the closing status. */
  private record Client(ManagedChannel channel, AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub) implements AutoCloseable {
    static Client open(ChannelCredentials credentials, String token) {
      // The server's certificate names 127.0.0.1 (and localhost); the client checks the address it dials.
      ManagedChannel channel = Grpc.newChannelBuilderForAddress("127.0.0.1", controlPlane.xdsPort(), credentials).build();
      var stub = AggregatedDiscoveryServiceGrpc.newStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      if (token != null) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      }
      return new Client(channel, stub);
    }

    Object sotw(String group) throws InterruptedException {
      First<DiscoveryResponse> first = new First<>();
      StreamObserver<DiscoveryRequest> requests = stub.streamAggregatedResources(first);
      requests.onNext(DiscoveryRequest.newBuilder().setNode(Node.newBuilder().setId("grpc-probe-" + group).setCluster(group))
          .setTypeUrl(XdsType.CLUSTER.typeUrl()).build());
      return first.await(requests);
    }

    Object delta(String group) throws InterruptedException {
      First<DeltaDiscoveryResponse> first = new First<>();
      StreamObserver<DeltaDiscoveryRequest> requests = stub.deltaAggregatedResources(first);
      requests.onNext(DeltaDiscoveryRequest.newBuilder().setNode(Node.newBuilder().setId("grpc-probe-" + group).setCluster(group))
          .setTypeUrl(XdsType.CLUSTER.typeUrl()).build());
      return first.await(requests);
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static final class First<T> implements StreamObserver<T> {
    private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();

    @Override
    public void onNext(T value) {
      events.add(value);
    }

    @Override
    public void onError(Throwable t) {
      events.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      events.add(Status.OK);
    }

    Object await(StreamObserver<?> requests) throws InterruptedException {
      Object event = events.poll(15, TimeUnit.SECONDS);
      assertThat(event).as("a response or a status").isNotNull();
      if (!(event instanceof Status)) {
        requests.onCompleted();
      }
      return event;
    }
  }

  /** GET through Envoy until a 200 (the listener may still be binding just after Envoy turned LIVE). */
  private static HttpResponse<String> awaitOk(String path) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listenerPort + path))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return response;
        }
        last = response.statusCode() + " " + response.body();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no 200 through Envoy for " + path + " in 5 s; last: " + last);
  }

  private static Map<String, Long> envoyStats() {
    Map<String, Long> stats = new HashMap<>();
    for (String line : envoy.admin("/stats?filter=cluster.embassy_xds.ssl").split("\n")) {
      int colon = line.lastIndexOf(": ");
      if (colon > 0) {
        try {
          stats.put(line.substring(0, colon).strip(), Long.parseLong(line.substring(colon + 2).strip()));
        } catch (NumberFormatException histogram) {
          // Not a counter.
        }
      }
    }
    return stats;
  }

  /** The value of {@code series} ({@code name{label="value"}}, as the page writes it) on the status port; 0 before the first. */
  private static double sample(String series) throws Exception {
    String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controlPlane.statusPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    // The exposition may end a label set with a comma.
    String open = series.endsWith("}") ? series.substring(0, series.length() - 1) : series;
    Matcher line = Pattern.compile("^" + Pattern.quote(open) + ",?\\} (\\S+)$", Pattern.MULTILINE).matcher(metrics);
    return line.find() ? Double.parseDouble(line.group(1)) : 0;
  }

  /** embassy_controlplane_xds_refused_total{reason}; 0 before the first. */
  private static double refused(String reason) throws Exception {
    return sample("embassy_controlplane_xds_refused_total{reason=\"" + reason + "\"}");
  }

  private static String sha256(String token) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
  }
}
