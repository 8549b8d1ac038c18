package dev.embassy.testsupport;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An OTLP trace receiver, as an OpenTelemetry Collector's otlp receiver is: OTLP/gRPC (the real
 * TraceService of opentelemetry-proto, what Envoy's OpenTelemetry tracer sends to) and OTLP/HTTP
 * (POST /v1/traces with a protobuf ExportTraceServiceRequest, what the services' SDK exporters
 * send), each on a loopback port, keeping every span with the service.name of the resource that
 * sent it.
 */
public final class OtlpTraceReceiver implements AutoCloseable {
  /** One span as received; ids in lowercase hex, as traceparent writes them; no parent is "". */
  public record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name, Span.SpanKind kind,
      Map<String, String> attributes) {
    @Override
    public String toString() {
      return service + " " + name + " " + kind + " trace=" + traceId + " span=" + spanId + " parent=" + parentSpanId;
    }
  }

  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  private final Server server;
  private final HttpServer http;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private OtlpTraceReceiver() throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .addService(new TraceServiceGrpc.TraceServiceImplBase() {
          @Override
          public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> response) {
            keep(request);
            response.onNext(ExportTraceServiceResponse.getDefaultInstance());
            response.onCompleted();
          }
        })
        .build()
        .start();
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/v1/traces", exchange -> {
      try (exchange) {
        if (!exchange.getRequestMethod().equals("POST")) {
          exchange.sendResponseHeaders(405, -1);
          return;
        }
        keep(ExportTraceServiceRequest.parseFrom(exchange.getRequestBody().readAllBytes()));
        byte[] body = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
        exchange.getResponseHeaders().set("content-type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
          exchange.getResponseBody().write(body);
        }
      }
    });
    http.start();
  }

  private void keep(ExportTraceServiceRequest request) {
    for (ResourceSpans resource : request.getResourceSpansList()) {
      String service = attributes(resource.getResource().getAttributesList()).getOrDefault("service.name", "");
      for (ScopeSpans scope : resource.getScopeSpansList()) {
        for (Span span : scope.getSpansList()) {
          spans.add(new ReceivedSpan(service, hex(span.getTraceId()), hex(span.getSpanId()), hex(span.getParentSpanId()),
              span.getName(), span.getKind(), attributes(span.getAttributesList())));
        }
      }
    }
  }

  public static OtlpTraceReceiver start() {
    try {
      return new OtlpTraceReceiver();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The OTLP/gRPC port (a collector's 4317). */
  public int grpcPort() {
    return server.getPort();
  }

  /** The OTLP/HTTP endpoint (a collector's http://host:4318) as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  public String httpEndpoint() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  public List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  /** Waits until the spans received so far satisfy {@code done}; returns them, or fails listing what did arrive. */
  public List<ReceivedSpan> await(Predicate<List<ReceivedSpan>> done, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<ReceivedSpan> now = spans();
      if (done.test(now)) {
        return now;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; received: " + now);
      }
      Thread.sleep(50);
    }
  }

  private static String hex(ByteString id) {
    return HexFormat.of().formatHex(id.toByteArray());
  }

  private static Map<String, String> attributes(List<KeyValue> attributes) {
    Map<String, String> values = new TreeMap<>();
    for (KeyValue attribute : attributes) {
      AnyValue value = attribute.getValue();
      values.put(attribute.getKey(), switch (value.getValueCase()) {
        case STRING_VALUE -> value.getStringValue();
        case INT_VALUE -> Long.toString(value.getIntValue());
        case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
        case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
        default -> value.toString().strip();
      });
    }
    return values;
  }

  /** Stops receiving; a second close does nothing (a test may stop the collector before its end). */
  @Override
  public void close() throws InterruptedException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    http.stop(0);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
