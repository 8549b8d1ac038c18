package dev.embassy.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.util.JsonFormat;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.controlplane.ir.NodeGroupBuilder;
import dev.embassy.controlplane.translate.XdsResources;
import dev.embassy.controlplane.translate.XdsTranslator;
import dev.embassy.controlplane.cache.GroupSnapshot;
import dev.embassy.controlplane.cache.XdsCache;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the pinned combination works: java-control-plane 1.0.49's generated Envoy protos (protoc
 * 3.25.1) and its gRPC stubs (grpc 1.62) on our protobuf-java and grpc-java runtimes.
 */
class ProtobufToolchainCompatibilityTest {
  private static final Node NODE = Node.newBuilder().setId("compat").setCluster("edge").build();

  private Server server;
  private ManagedChannel channel;
  private XdsResources resources;

  @BeforeEach
  void startServer() throws Exception {
    ConfigDocument document = ConfigJson.yaml().readValue("""
        clusters: [{name: demo, discovery: {static: {endpoints: [{address: 127.0.0.1, port: 8080}]}}}]
        gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: 10000}]}]
        routes: [{name: all, gateway: edge, rules: [{backendRefs: [{cluster: demo}]}]}]
        """, ConfigDocument.class);
    resources = XdsTranslator.translate(NodeGroupBuilder.build(document, dev.embassy.controlplane.ir.TranslationSettings.defaults("127.0.0.1"), EndpointSource.NONE).getFirst());
    XdsCache cache = new XdsCache(java.time.Clock.systemUTC());
    cache.publish(GroupSnapshot.of(resources, 1, null));
    cache.loaded();
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .addService(new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl())
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stopServer() throws Exception {
    channel.shutdownNow();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void generatedMessagesRoundTripThroughBinaryAnyAndJson() throws Exception {
    Listener listener = resources.listeners().getFirst();

    assertThat(Listener.parseFrom(listener.toByteArray())).isEqualTo(listener);
    HttpConnectionManager hcm =
        listener.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
    assertThat(hcm.getHttpFilters(0).getTypedConfig().is(Router.class)).isTrue();

    JsonFormat.TypeRegistry registry =
        JsonFormat.TypeRegistry.newBuilder()
            .add(HttpConnectionManager.getDescriptor())
            .add(Router.getDescriptor())
            .build();
    String json = JsonFormat.printer().usingTypeRegistry(registry).print(listener);
    Listener.Builder parsed = Listener.newBuilder();
    JsonFormat.parser().usingTypeRegistry(registry).merge(json, parsed);
    assertThat(parsed.build()).isEqualTo(listener);
  }

  @Test
  void stateOfTheWorldAdsAnswersOverGrpc() throws Exception {
    CompletableFuture<DiscoveryResponse> answer = new CompletableFuture<>();
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(completing(answer));
    requests.onNext(DiscoveryRequest.newBuilder().setNode(NODE).setTypeUrl(Resources.V3.CLUSTER_TYPE_URL).build());

    DiscoveryResponse response = answer.get(5, TimeUnit.SECONDS);
    requests.onCompleted();
    assertThat(response.getResourcesList()).extracting(Any::getTypeUrl).containsExactly(Resources.V3.CLUSTER_TYPE_URL);
    assertThat(response.getResources(0).unpack(io.envoyproxy.envoy.config.cluster.v3.Cluster.class).getName())
        .isEqualTo("demo");
  }

  @Test
  void deltaAdsAnswersOverGrpc() throws Exception {
    CompletableFuture<DeltaDiscoveryResponse> answer = new CompletableFuture<>();
    StreamObserver<DeltaDiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(completing(answer));
    requests.onNext(
        DeltaDiscoveryRequest.newBuilder().setNode(NODE).setTypeUrl(Resources.V3.LISTENER_TYPE_URL).build());

    DeltaDiscoveryResponse response = answer.get(5, TimeUnit.SECONDS);
    requests.onCompleted();
    assertThat(response.getResourcesList()).hasSize(1);
    assertThat(response.getResources(0).getName()).isEqualTo("edge-http");
    assertThat(response.getResources(0).getResource().unpack(Listener.class)).isEqualTo(resources.listeners().getFirst());
  }

  private static <T> StreamObserver<T> completing(CompletableFuture<T> future) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        future.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        future.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        future.completeExceptionally(new IllegalStateException("stream closed without a response"));
      }
    };
  }
}
