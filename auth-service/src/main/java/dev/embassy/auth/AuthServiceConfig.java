package dev.embassy.auth;

import dev.embassy.config.model.DurationText;
import dev.embassy.tracing.ServiceTracing;
import java.time.Duration;
import java.util.Map;

/**
 * auth-service's settings, read from the environment. Every default is here and nowhere else.
 *
 * <table>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>EMBASSY_AUTH_BIND</td><td>127.0.0.1</td><td>address the gRPC server (ext_authz Check, grpc.health.v1) listens on</td></tr>
 *   <tr><td>EMBASSY_AUTH_PORT</td><td>9191</td><td>gRPC port; Envoy's cluster embassy-auth points here</td></tr>
 *   <tr><td>EMBASSY_AUTH_GRPC_THREADS</td><td>number of cores</td><td>gRPC event-loop threads; Checks run on them</td></tr>
 *   <tr><td>EMBASSY_AUTH_STATUS_BIND / EMBASSY_AUTH_STATUS_PORT</td><td>127.0.0.1 / 9192</td><td>/healthz, /readyz, /metrics</td></tr>
 *   <tr><td>EMBASSY_DATABASE_URL</td><td>jdbc:postgresql://127.0.0.1:5432/embassy</td><td>config database (auth policies)</td></tr>
 *   <tr><td>EMBASSY_DATABASE_USER / _PASSWORD</td><td>embassy / (empty)</td><td></td></tr>
 *   <tr><td>EMBASSY_AUTH_DEBOUNCE</td><td>10ms</td><td>how long to gather further revisions before recompiling policies</td></tr>
 *   <tr><td>EMBASSY_AUTH_TOKEN_CACHE_SIZE</td><td>100000</td><td>verified tokens kept (by SHA-256 of the token, until exp); 0 disables the cache</td></tr>
 *   <tr><td>EMBASSY_AUTH_MAX_TOKEN_BYTES</td><td>8192</td><td>longer tokens are refused before any parsing</td></tr>
 *   <tr><td>EMBASSY_AUTH_JWKS_TIMEOUT</td><td>2s</td><td>connect + response timeout of one discovery or JWKS fetch</td></tr>
 *   <tr><td>EMBASSY_AUTH_JWKS_MAX_BYTES</td><td>262144</td><td>larger discovery or JWKS documents are refused</td></tr>
 *   <tr><td>EMBASSY_AUTH_JWKS_REFRESH_MIN / _DEFAULT / _MAX</td><td>30s / 5m / 1h</td><td>background refresh interval: Cache-Control max-age clamped to [min, max]; default without max-age</td></tr>
 *   <tr><td>EMBASSY_AUTH_KID_REFETCH_INTERVAL</td><td>5s</td><td>at most one refetch per provider in this interval when a token names an unknown kid</td></tr>
 *   <tr><td>EMBASSY_AUTH_KID_REFETCH_WAIT</td><td>100ms</td><td>how long a Check waits for that refetch before failing closed (Envoy's ext_authz timeout is 200 ms); it waits off the event loop, holding up no other Check</td></tr>
 *   <tr><td>EMBASSY_LOG_LEVEL</td><td>INFO</td><td>root log level (read by logback.xml)</td></tr>
 *   <tr><td>OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)</td><td>(none: tracing off)</td><td>OTLP/gRPC receiver, e.g. http://otel-collector:4317; when set, every Check is a server span in the trace Envoy's ext_authz call carries (traceparent)</td></tr>
 *   <tr><td>OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER, OTEL_BSP_*, OTEL_EXPORTER_OTLP_HEADERS, ...</td><td>embassy-auth-service, parentbased_always_on, the SDK's</td><td>the OpenTelemetry SDK's other standard variables (service-tracing's ServiceTracing)</td></tr>
 * </table>
 */
public record AuthServiceConfig(
    String bind, int port, int grpcThreads, String statusBind, int statusPort,
    String databaseUrl, String databaseUser, String databasePassword, Duration debounce,
    int tokenCacheSize, int maxTokenBytes,
    Duration jwksTimeout, int jwksMaxBytes, Duration jwksRefreshMin, Duration jwksRefreshDefault, Duration jwksRefreshMax,
    Duration kidRefetchInterval, Duration kidRefetchWait, Map<String, String> openTelemetry) {

  public AuthServiceConfig {
    openTelemetry = Map.copyOf(openTelemetry);
    if (jwksRefreshMin.compareTo(jwksRefreshMax) > 0) {
      throw new IllegalArgumentException("EMBASSY_AUTH_JWKS_REFRESH_MIN must not exceed EMBASSY_AUTH_JWKS_REFRESH_MAX");
    }
  }

  public static AuthServiceConfig fromEnvironment(Map<String, String> env) {
    return new AuthServiceConfig(
        env.getOrDefault("EMBASSY_AUTH_BIND", "127.0.0.1"),
        port(env, "EMBASSY_AUTH_PORT", 9191),
        number(env, "EMBASSY_AUTH_GRPC_THREADS", Runtime.getRuntime().availableProcessors(), 1, 256),
        env.getOrDefault("EMBASSY_AUTH_STATUS_BIND", "127.0.0.1"),
        port(env, "EMBASSY_AUTH_STATUS_PORT", 9192),
        env.getOrDefault("EMBASSY_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/embassy"),
        env.getOrDefault("EMBASSY_DATABASE_USER", "embassy"),
        env.getOrDefault("EMBASSY_DATABASE_PASSWORD", ""),
        duration(env, "EMBASSY_AUTH_DEBOUNCE", "10ms"),
        number(env, "EMBASSY_AUTH_TOKEN_CACHE_SIZE", 100_000, 0, 10_000_000),
        number(env, "EMBASSY_AUTH_MAX_TOKEN_BYTES", 8192, 256, 1 << 20),
        duration(env, "EMBASSY_AUTH_JWKS_TIMEOUT", "2s"),
        number(env, "EMBASSY_AUTH_JWKS_MAX_BYTES", 262_144, 1024, 16 << 20),
        duration(env, "EMBASSY_AUTH_JWKS_REFRESH_MIN", "30s"),
        duration(env, "EMBASSY_AUTH_JWKS_REFRESH_DEFAULT", "5m"),
        duration(env, "EMBASSY_AUTH_JWKS_REFRESH_MAX", "1h"),
        duration(env, "EMBASSY_AUTH_KID_REFETCH_INTERVAL", "5s"),
        duration(env, "EMBASSY_AUTH_KID_REFETCH_WAIT", "100ms"),
        ServiceTracing.variables(env));
  }

  private static Duration duration(Map<String, String> env, String name, String fallback) {
    String value = env.getOrDefault(name, fallback).strip();
    if (value.equals("0") || value.equals("0ms") || value.equals("0s")) {
      return Duration.ZERO;
    }
    return DurationText.parse(value)
        .orElseThrow(() -> new IllegalArgumentException(name + "=" + value + " is not a duration such as 250ms, 30s or 5m"));
  }

  private static int number(Map<String, String> env, String name, int fallback, int min, int max) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int number = Integer.parseInt(value.strip());
      if (number < min || number > max) {
        throw new IllegalArgumentException(name + "=" + value + " is outside " + min + "-" + max);
      }
      return number;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + "=" + value + " is not a whole number", e);
    }
  }

  private static int port(Map<String, String> env, String name, int fallback) {
    return number(env, name, fallback, 0, 65535);
  }
}
