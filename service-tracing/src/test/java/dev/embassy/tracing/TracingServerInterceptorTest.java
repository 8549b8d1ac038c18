package dev.embassy.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The interceptor on a real gRPC server and client: the caller's traceparent decides the span's parent and whether it is recorded. */
class TracingServerInterceptorTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT_ID = "00f067aa0ba902b7";

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private OpenTelemetrySdk sdk;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder()
            .setSampler(Sampler.parentBased(Sampler.alwaysOn()))
            .addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    HealthStatusManager health = new HealthStatusManager();
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(health.getHealthService(), new TracingServerInterceptor(sdk)))
        .build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    sdk.close();
  }

  @Test
  void aCallWithTraceparentIsAServerSpanUnderTheCallersSpan() {
    check(Map.of("traceparent", "00-" + TRACE_ID + "-" + PARENT_ID + "-01"), "");

    List<SpanData> recorded = spans.getFinishedSpanItems();
    assertThat(recorded).hasSize(1);
    SpanData span = recorded.getFirst();
    assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(span.getParentSpanId()).isEqualTo(PARENT_ID);
    assertThat(span.getParentSpanContext().isRemote()).isTrue();
    assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(span.getName()).isEqualTo("grpc.health.v1.Health/Check");
    assertThat(span.getAttributes().asMap()).extractingFromEntries(e -> e.getKey().getKey() + "=" + e.getValue())
        .contains("rpc.system=grpc", "rpc.service=grpc.health.v1.Health", "rpc.method=Check", "rpc.grpc.status_code=0");
  }

  @Test
  void aFailedCallRecordsItsStatus() {
    // An unknown service: the health service answers NOT_FOUND, a caller's error, not the server's.
    check(Map.of("traceparent", "00-" + TRACE_ID + "-" + PARENT_ID + "-01"), "no.such.Service");

    SpanData span = spans.getFinishedSpanItems().getFirst();
    assertThat(span.getAttributes().asMap()).extractingFromEntries(e -> e.getKey().getKey() + "=" + e.getValue())
        .contains("rpc.grpc.status_code=5");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.UNSET);
  }

  @Test
  void aCallerThatDidNotSampleIsNotRecorded() {
    check(Map.of("traceparent", "00-" + TRACE_ID + "-" + PARENT_ID + "-00"), "");
    assertThat(spans.getFinishedSpanItems()).isEmpty();
  }

  @Test
  void aCallWithoutContextStartsATraceOfItsOwn() {
    check(Map.of(), "");
    SpanData span = spans.getFinishedSpanItems().getFirst();
    assertThat(span.getParentSpanContext().isValid()).isFalse();
    assertThat(span.getTraceId()).isNotEqualTo(TRACE_ID);
  }

  private void check(Map<String, String> headers, String service) {
    Metadata metadata = new Metadata();
    headers.forEach((k, v) -> metadata.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
    HealthGrpc.HealthBlockingStub stub = HealthGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata)).withDeadlineAfter(5, TimeUnit.SECONDS);
    try {
      stub.check(HealthCheckRequest.newBuilder().setService(service).build());
    } catch (io.grpc.StatusRuntimeException e) {
      // NOT_FOUND for an unknown service; the span is what is under test.
    }
  }
}
