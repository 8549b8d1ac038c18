package dev.embassy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Code;
import dev.embassy.config.model.AuthPolicy;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The service as deployed, on a real config store: policies followed live, fail-closed policy
 * selection, gRPC health, /healthz, /readyz and /metrics, and a config-store outage (the last
 * policies keep being served, health says degraded, and it recovers).
 */
@ExtendWith(PostgresExtension.class)
class AuthServiceIT {
  private static final String KEY = "svc-key-0123456789abcdef";

  private static AuthPolicy apiKeyPolicy(List<String> keyScopes, List<String> required) {
    return new AuthPolicy("svc", Map.of(), List.of(),
        new AuthPolicy.Requirements(AuthPolicy.Mode.all, required, List.of()), Optional.empty(),
        List.of(new AuthPolicy.ClaimHeader("sub", "x-client")), false, false,
        Optional.of(new AuthPolicy.ApiKeys(null, List.of(new AuthPolicy.ApiKey("billing", sha256(KEY), keyScopes)))));
  }

  @Test
  void followsTheStoreAndReportsItsHealth(TestDatabase db) throws Exception {
    try (AuthServiceHarness auth = AuthServiceHarness.start(db, Map.of())) {
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(auth.channel());
      auth.put(apiKeyPolicy(List.of("orders:read"), List.of("orders:read")));
      AuthServiceHarness.await(() -> auth.status("/readyz").statusCode() == 200, Duration.ofSeconds(10), "ready");
      AuthServiceHarness.await(() -> health.check(HealthCheckRequest.getDefaultInstance()).getStatus() == HealthCheckResponse.ServingStatus.SERVING,
          Duration.ofSeconds(5), "gRPC health SERVING");
      assertThat(health.check(HealthCheckRequest.newBuilder().setService("envoy.service.auth.v3.Authorization").build()).getStatus())
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

      assertThat(auth.check("svc", Map.of("x-api-key", KEY)).getStatus().getCode()).isEqualTo(Code.OK_VALUE);
      assertThat(auth.check(null, Map.of("x-api-key", KEY)).getDeniedResponse().getStatus().getCodeValue()).as("no policy on the route").isEqualTo(403);
      assertThat(auth.check("nope", Map.of("x-api-key", KEY)).getDeniedResponse().getStatus().getCodeValue()).as("unknown policy").isEqualTo(503);

      // A live change: the route now needs a scope the key lacks.
      auth.put(apiKeyPolicy(List.of("orders:read"), List.of("orders:write")));
      assertThat(auth.check("svc", Map.of("x-api-key", KEY)).getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);

      String metrics = auth.status("/metrics").body();
      assertThat(metrics).contains("embassy_auth_decisions_total{policy=\"svc\",reason=\"api_key\",result=\"allow\"} 1.0");
      assertThat(metrics).contains("embassy_auth_decisions_total{policy=\"none\",reason=\"policy_missing\",result=\"deny\"} 1.0");
      assertThat(metrics).contains("embassy_auth_decisions_total{policy=\"unknown\",reason=\"policy_unknown\",result=\"deny\"} 1.0");
      assertThat(metrics).contains("embassy_auth_check_duration_seconds_bucket");
      assertThat(metrics).doesNotContain("reason=\"warmup\"");
      assertThat(metrics).doesNotContain(KEY);
      assertThat(auth.status("/healthz").body()).startsWith("{\"status\":\"ok\"");

      // Config store outage: connections refused; the last policies keep working.
      try (Connection admin = DriverManager.getConnection(db.jdbcUrl().replace("/" + db.name(), "/postgres"), db.user(), db.password());
          Statement sql = admin.createStatement()) {
        sql.execute("ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS false");
        sql.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db.name() + "' AND pid <> pg_backend_pid()");
        AuthServiceHarness.await(() -> auth.status("/healthz").body().contains("degraded"), Duration.ofSeconds(10), "degraded");
        assertThat(auth.status("/healthz").statusCode()).isEqualTo(200);
        assertThat(auth.status("/healthz").body()).contains("config store unreachable");
        assertThat(auth.status("/metrics").body()).contains("embassy_auth_store_reachable 0.0");
        assertThat(auth.check("svc", Map.of("x-api-key", KEY)).getDeniedResponse().getStatus().getCodeValue())
            .as("last policies still enforced").isEqualTo(403);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        sql.execute("ALTER DATABASE " + db.name() + " ALLOW_CONNECTIONS true");
      }
      AuthServiceHarness.await(() -> auth.status("/healthz").body().startsWith("{\"status\":\"ok\""), Duration.ofSeconds(15), "recovered");
      auth.put(apiKeyPolicy(List.of("orders:write"), List.of("orders:write")));
      assertThat(auth.check("svc", Map.of("x-api-key", KEY)).getStatus().getCode()).as("following again").isEqualTo(Code.OK_VALUE);
    }
  }

  private static String sha256(String text) throws RuntimeException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
