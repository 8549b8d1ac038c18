package dev.embassy.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** When tracing is on: only with an OTLP endpoint, and never when the standard variables turn it off. */
class ServiceTracingTest {
  @Test
  void offWithoutAnEndpoint() {
    assertThat(ServiceTracing.start(Map.of("OTEL_SERVICE_NAME", "auth"), "embassy-auth-service").enabled()).isFalse();
  }

  @Test
  void offWhenTheSdkOrTheTraceExporterIsDisabled() {
    assertThat(ServiceTracing.start(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318", "OTEL_SDK_DISABLED", "true"), "s").enabled())
        .isFalse();
    assertThat(ServiceTracing.start(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318", "OTEL_TRACES_EXPORTER", "none"), "s").enabled())
        .isFalse();
  }

  @Test
  void onWithAnEndpoint() {
    try (ServiceTracing tracing = ServiceTracing.start(Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:4318/v1/traces"), "s")) {
      assertThat(tracing.enabled()).isTrue();
    }
  }

  @Test
  void otlpOverGrpcIsRefusedAsASettingError() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServiceTracing.variables(Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http/protobuf");
    assertThat(ServiceTracing.variables(Map.of("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"))).hasSize(1);
  }

  @Test
  void onlyOtelVariablesAreKept() {
    assertThat(ServiceTracing.variables(Map.of("OTEL_SERVICE_NAME", " auth ", "EMBASSY_AUTH_PORT", "9191", "OTEL_EMPTY", "")))
        .containsExactly(Map.entry("OTEL_SERVICE_NAME", "auth"));
  }
}
