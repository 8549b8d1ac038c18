package dev.embassy.tracing;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One SERVER span per gRPC call, child of the span whose W3C context ({@code traceparent},
 * {@code tracestate}) the caller put in the metadata: for an ext_authz Check or an RLS call, the
 * span Envoy opened for that call. Named and tagged as the OpenTelemetry RPC conventions ask
 * ({@code package.Service/Method}, rpc.system, rpc.service, rpc.method, rpc.grpc.status_code), so
 * tracing backends show it like any instrumented gRPC server. The call's handlers run inside the
 * span's context.
 */
public final class TracingServerInterceptor implements ServerInterceptor {
  private static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  private static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  private static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  private static final AttributeKey<Long> RPC_GRPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");
  /** The codes the RPC conventions count as a server's own failure; the rest are the caller's (or no) error. */
  private static final Set<Status.Code> SERVER_ERRORS = EnumSet.of(Status.Code.UNKNOWN, Status.Code.DEADLINE_EXCEEDED,
      Status.Code.UNIMPLEMENTED, Status.Code.INTERNAL, Status.Code.UNAVAILABLE, Status.Code.DATA_LOSS);

  private static final TextMapGetter<Metadata> METADATA = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Metadata carrier) {
      return carrier.keys();
    }

    @Override
    public String get(Metadata carrier, String key) {
      // Binary (-bin) entries cannot be read as text, and no W3C field is one.
      if (carrier == null || key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        return null;
      }
      return carrier.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
    }
  };

  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;

  public TracingServerInterceptor(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
    this.tracer = openTelemetry.getTracer("dev.embassy.tracing");
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String fullMethod = call.getMethodDescriptor().getFullMethodName();
    Context parent = openTelemetry.getPropagators().getTextMapPropagator().extract(Context.root(), headers, METADATA);
    Span span = tracer.spanBuilder(fullMethod)
        .setParent(parent)
        .setSpanKind(SpanKind.SERVER)
        .setAttribute(RPC_SYSTEM, "grpc")
        .setAttribute(RPC_SERVICE, call.getMethodDescriptor().getServiceName())
        .setAttribute(RPC_METHOD, call.getMethodDescriptor().getBareMethodName())
        .startSpan();
    Context context = parent.with(span);
    AtomicBoolean ended = new AtomicBoolean();
    ServerCall<Q, R> traced = new SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        end(span, ended, status);
        super.close(status, trailers);
      }
    };
    ServerCall.Listener<Q> listener;
    try (Scope ignored = context.makeCurrent()) {
      listener = next.startCall(traced, headers);
    }
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(Q message) {
        try (Scope ignored = context.makeCurrent()) {
          super.onMessage(message);
        }
      }

      @Override
      public void onHalfClose() {
        try (Scope ignored = context.makeCurrent()) {
          super.onHalfClose();
        }
      }

      @Override
      public void onCancel() {
        // The caller went away (Envoy's ext_authz or RLS timeout): no close() follows.
        end(span, ended, Status.CANCELLED);
        try (Scope ignored = context.makeCurrent()) {
          super.onCancel();
        }
      }

      @Override
      public void onComplete() {
        try (Scope ignored = context.makeCurrent()) {
          super.onComplete();
        }
      }
    };
  }

  private static void end(Span span, AtomicBoolean ended, Status status) {
    if (!ended.compareAndSet(false, true)) {
      return;
    }
    span.setAttribute(RPC_GRPC_STATUS, (long) status.getCode().value());
    if (SERVER_ERRORS.contains(status.getCode())) {
      span.setStatus(StatusCode.ERROR, status.getDescription() == null ? status.getCode().name() : status.getDescription());
    }
    span.end();
  }
}
