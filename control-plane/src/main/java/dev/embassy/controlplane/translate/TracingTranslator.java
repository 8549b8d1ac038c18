package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import dev.embassy.controlplane.ir.TraceExport;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.config.trace.v3.Tracing;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.type.v3.Percent;

/**
 * A listener's tracing: Envoy's OpenTelemetry tracer on the connection manager. It speaks W3C
 * trace context (traceparent/tracestate) only, which is what the OpenTelemetry SDKs of
 * auth-service, ratelimit-service and most backends read by default; Zipkin's B3 headers are not
 * sent. Envoy injects the context into the backend request and, because ext_authz and the
 * rate-limit filter call through Envoy's own gRPC client with the request's span as parent, into
 * the metadata of those calls too, each under a child span of its own.
 */
final class TracingTranslator {
  /** Spans are sent in batches in the background; a slow collector must not hold a batch for long. */
  private static final long EXPORT_TIMEOUT_MILLIS = 1000;

  private TracingTranslator() {}

  static HttpConnectionManager.Tracing tracing(TraceExport export) {
    OpenTelemetryConfig otel = OpenTelemetryConfig.newBuilder()
        .setGrpcService(GrpcService.newBuilder()
            .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(export.collectorCluster()))
            .setTimeout(Durations.fromMillis(EXPORT_TIMEOUT_MILLIS)))
        .setServiceName(export.serviceName())
        .build();
    return HttpConnectionManager.Tracing.newBuilder()
        // Applies to requests that arrive without a traceparent: one that carries it keeps the
        // caller's sampling decision, as W3C trace context asks of an intermediary.
        .setRandomSampling(Percent.newBuilder().setValue(export.samplingPercent()))
        .setProvider(Tracing.Http.newBuilder()
            .setName("envoy.tracers.opentelemetry")
            .setTypedConfig(Any.pack(otel)))
        .build();
  }
}
