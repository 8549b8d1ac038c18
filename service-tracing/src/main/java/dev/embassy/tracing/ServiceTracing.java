package dev.embassy.tracing;

import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A service's tracing, from the standard OpenTelemetry variables (OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER, OTEL_BSP_SCHEDULE_DELAY, ...; the SDK's autoconfigure
 * module reads them). Off unless an OTLP endpoint is set: then no SDK is built and no service is
 * wrapped, so an untraced service pays nothing, not even a no-op span per call. On, it traces the
 * services {@link #traced} wraps (the ones Envoy calls), exports spans in batches by OTLP over
 * HTTP (http/protobuf: an OpenTelemetry Collector's port 4318, where the SDK posts to /v1/traces)
 * and samples parent-based, so a call joins exactly the traces Envoy records. Only traces: metrics
 * and logs exporters stay off unless OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER say otherwise.
 */
public final class ServiceTracing implements AutoCloseable {
  public static final ServiceTracing OFF = new ServiceTracing(Optional.empty());
  private static final String PROTOCOL = "http/protobuf";

  private final Optional<OpenTelemetrySdk> sdk;

  private ServiceTracing(Optional<OpenTelemetrySdk> sdk) {
    this.sdk = sdk;
  }

  /**
   * The OTEL_* entries of {@code env}: what a service keeps in its config record.
   *
   * @throws IllegalArgumentException for a protocol the services cannot send (only the JDK's HTTP
   *     sender is on their class path, so OTLP/gRPC would fail at start with a less clear message)
   */
  public static Map<String, String> variables(Map<String, String> env) {
    Map<String, String> otel = new TreeMap<>();
    env.forEach((name, value) -> {
      if (name.startsWith("OTEL_") && value != null && !value.isBlank()) {
        otel.put(name, value.strip());
      }
    });
    for (String name : new String[] {"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"}) {
      String protocol = otel.get(name);
      if (protocol != null && !protocol.equals(PROTOCOL)) {
        throw new IllegalArgumentException(name + "=" + protocol + ": Embassy's services export " + PROTOCOL
            + " only (an OpenTelemetry Collector's port 4318)");
      }
    }
    return Map.copyOf(otel);
  }

  /**
   * @param otel OTEL_* variables ({@link #variables})
   * @param serviceName service.name unless OTEL_SERVICE_NAME (or service.name in
   *     OTEL_RESOURCE_ATTRIBUTES) says otherwise
   */
  public static ServiceTracing start(Map<String, String> otel, String serviceName) {
    boolean endpoint = otel.containsKey("OTEL_EXPORTER_OTLP_ENDPOINT") || otel.containsKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    boolean disabled = "true".equalsIgnoreCase(otel.get("OTEL_SDK_DISABLED")) || "none".equalsIgnoreCase(otel.get("OTEL_TRACES_EXPORTER"));
    if (!endpoint || disabled) {
      return OFF;
    }
    Map<String, String> properties = new HashMap<>();
    properties.put("otel.service.name", serviceName);
    properties.put("otel.traces.exporter", "otlp");
    properties.put("otel.exporter.otlp.protocol", PROTOCOL);
    properties.put("otel.metrics.exporter", "none");
    properties.put("otel.logs.exporter", "none");
    // The SDK reads the process environment itself too (and it wins); the map is what makes a
    // service embedded in another process (the end-to-end tests) configurable the same way.
    otel.forEach((name, value) -> properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value));
    OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> properties)
        // The service closes its tracing last on shutdown, after the gRPC server, so the spans of
        // the last calls are flushed; a hook of the SDK's own could run first and drop them.
        .disableShutdownHook()
        .build()
        .getOpenTelemetrySdk();
    return new ServiceTracing(Optional.of(sdk));
  }

  public boolean enabled() {
    return sdk.isPresent();
  }

  /** {@code service}, recording a server span per call when tracing is on; {@code service} itself when off. */
  public ServerServiceDefinition traced(BindableService service) {
    return sdk.map(s -> ServerInterceptors.intercept(service, new TracingServerInterceptor(s))).orElseGet(service::bindService);
  }

  /** Flushes the spans still batched and stops the exporter. */
  @Override
  public void close() {
    sdk.ifPresent(OpenTelemetrySdk::close);
  }
}
