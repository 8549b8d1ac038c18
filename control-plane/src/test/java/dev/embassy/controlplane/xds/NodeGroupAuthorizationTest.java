package dev.embassy.controlplane.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node group check on token-bound streams, in process: behind it an ADS service that answers
 * every request it is let through with the node group the request asked for. Certificate-bound
 * streams need a real TLS session and are covered by SecureXdsIT.
 */
class NodeGroupAuthorizationTest {
  private static final String EDGE_TOKEN = "edge-token-0123456789abcdef0123456789";

  @TempDir Path dir;
  private final List<String> refused = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private Server server;
  private ManagedChannel channel;
  private NodeGroupTokens tokens;

  @BeforeEach
  void start() throws Exception {
    Path file = Files.writeString(dir.resolve("tokens"), "# node group, SHA-256 of its token\nedge sha256:" + sha256(EDGE_TOKEN) + "\n");
    tokens = new NodeGroupTokens(file, 60_000, scheduler);
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(ServerInterceptors.intercept(new EchoAds(), new NodeGroupAuthorization(Optional.empty(), Optional.of(tokens), refused::add)))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
    tokens.close();
    scheduler.shutdownNow();
  }

  @Test
  void aStreamAskingForItsOwnGroupIsServed() throws Exception {
    Sotw stream = Sotw.open(channel, EDGE_TOKEN);
    stream.send("edge");
    assertThat(stream.next()).isEqualTo("edge");
    stream.send("edge");
    assertThat(stream.next()).isEqualTo("edge");
    Delta delta = Delta.open(channel, EDGE_TOKEN);
    delta.send("edge");
    assertThat(delta.next()).isEqualTo("edge");
    assertThat(refused).isEmpty();
  }

  @Test
  void aStreamAskingForAnotherGroupIsRefusedNamingBoth() throws Exception {
    Sotw sotw = Sotw.open(channel, EDGE_TOKEN);
    sotw.send("payments");
    Status status = sotw.error();
    assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(status.getDescription()).isEqualTo("node group \"payments\" refused: this stream's token is for node group \"edge\"");

    Delta delta = Delta.open(channel, EDGE_TOKEN);
    delta.send("payments");
    assertThat(delta.error().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(refused).containsExactly("node_group_mismatch", "node_group_mismatch");
  }

  @Test
  void aStreamSwitchingGroupsMidwayIsRefused() throws Exception {
    // java-control-plane serves each request the group its own node names.
    Sotw stream = Sotw.open(channel, EDGE_TOKEN);
    stream.send("edge");
    assertThat(stream.next()).isEqualTo("edge");
    stream.send("payments");
    assertThat(stream.error().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(refused).containsExactly("node_group_mismatch");
  }

  @Test
  void aStreamWithoutAKnownTokenIsUnauthenticated() throws Exception {
    Sotw missing = Sotw.open(channel, null);
    missing.send("edge");
    assertThat(missing.error().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    Sotw unknown = Sotw.open(channel, "not-a-token-of-any-group-0123456789");
    unknown.send("edge");
    Status status = unknown.error();
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(status.getDescription()).doesNotContain("not-a-token");
    assertThat(refused).containsExactly("missing_token", "unknown_token");
  }

  static String sha256(String token) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /** Answers each request with the node group it asked for, in version_info. */
  private static final class EchoAds extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {
    @Override
    public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> responses) {
      return new Answering<>(request -> responses.onNext(DiscoveryResponse.newBuilder().setVersionInfo(request.getNode().getCluster()).build()),
          responses);
    }

    @Override
    public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(StreamObserver<DeltaDiscoveryResponse> responses) {
      return new Answering<>(request -> responses.onNext(
          DeltaDiscoveryResponse.newBuilder().setSystemVersionInfo(request.getNode().getCluster()).build()), responses);
    }
  }

  private record Answering<T>(java.util.function.Consumer<T> answer, StreamObserver<?> responses) implements StreamObserver<T> {
    @Override
    public void onNext(T value) {
      answer.accept(value);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {
      responses.onCompleted();
    }
  }

  /** What a client stream received: each response's node group, or the status it ended with. */
  private static final class Received<T> implements StreamObserver<T> {
    final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final java.util.function.Function<T, String> group;

    Received(java.util.function.Function<T, String> group) {
      this.group = group;
    }

    @Override
    public void onNext(T value) {
      events.add(group.apply(value));
    }

    @Override
    public void onError(Throwable t) {
      events.add(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      events.add(Status.OK);
    }

    Object take() throws InterruptedException {
      Object event = events.poll(5, TimeUnit.SECONDS);
      assertThat(event).as("an answer within 5 s").isNotNull();
      return event;
    }
  }

  private static AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceStub stub(ManagedChannel channel, String token) {
    var stub = AggregatedDiscoveryServiceGrpc.newStub(channel);
    if (token == null) {
      return stub;
    }
    Metadata headers = new Metadata();
    headers.put(NodeGroupAuthorization.AUTHORIZATION, "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private record Sotw(StreamObserver<DiscoveryRequest> requests, Received<DiscoveryResponse> received) {
    static Sotw open(ManagedChannel channel, String token) {
      Received<DiscoveryResponse> received = new Received<>(DiscoveryResponse::getVersionInfo);
      return new Sotw(stub(channel, token).streamAggregatedResources(received), received);
    }

    void send(String group) {
      requests.onNext(DiscoveryRequest.newBuilder().setNode(Node.newBuilder().setId("n").setCluster(group)).build());
    }

    String next() throws InterruptedException {
      return (String) received.take();
    }

    Status error() throws InterruptedException {
      return (Status) received.take();
    }
  }

  private record Delta(StreamObserver<DeltaDiscoveryRequest> requests, Received<DeltaDiscoveryResponse> received) {
    static Delta open(ManagedChannel channel, String token) {
      Received<DeltaDiscoveryResponse> received = new Received<>(DeltaDiscoveryResponse::getSystemVersionInfo);
      return new Delta(stub(channel, token).deltaAggregatedResources(received), received);
    }

    void send(String group) {
      requests.onNext(DeltaDiscoveryRequest.newBuilder().setNode(Node.newBuilder().setId("n").setCluster(group)).build());
    }

    String next() throws InterruptedException {
      return (String) received.take();
    }

    Status error() throws InterruptedException {
      return (Status) received.take();
    }
  }
}
