package dev.embassy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embassy.config.model.AuthPolicy;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.EnvoyProcess;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * End to end through a real Envoy (static bootstrap with the control plane's ext_authz contract),
 * the real auth-service on a real config store, a real OIDC provider and a header-echoing backend:
 * the five cases of issue 6, plus auth-service being down (503, never a pass).
 */
@ExtendWith(PostgresExtension.class)
class EnvoyExtAuthzIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void envoyEnforcesPoliciesThroughAuthService(TestDatabase db) throws Exception {
    try (OidcProvider idp = OidcProvider.start(FreePorts.one(), "key-1");
        DemoBackend backend = DemoBackend.start("orders");
        AuthServiceHarness auth = AuthServiceHarness.start(db, Map.of())) {
      auth.put(new AuthPolicy("orders-read", Map.of(),
          List.of(new AuthPolicy.JwtProvider("demo", idp.issuer(), Optional.of(idp.discoveryUrl()), Optional.empty(),
              List.of("orders-api"), List.of("RS256"), "60s", Optional.empty())),
          new AuthPolicy.Requirements(AuthPolicy.Mode.all, List.of("orders:read"), List.of()),
          Optional.empty(),
          List.of(new AuthPolicy.ClaimHeader("sub", "x-user-id"), new AuthPolicy.ClaimHeader("scope", "x-user-scopes"),
              new AuthPolicy.ClaimHeader("email", "x-user-email")),
          false, false, Optional.empty()));
      AuthServiceHarness.await(() -> auth.service().health().report().ready(), Duration.ofSeconds(10), "auth-service ready");
      int listener = FreePorts.one();
      Path template = Path.of(EnvoyExtAuthzIT.class.getResource("/envoy/ext-authz.yaml").toURI());
      try (EnvoyProcess envoy = EnvoyProcess.start(template, Map.of(
          "LISTENER_PORT", Integer.toString(listener), "BACKEND_PORT", Integer.toString(backend.port()),
          "AUTH_PORT", Integer.toString(auth.grpcPort())))) {
        envoy.awaitReady(Duration.ofSeconds(30));
        String base = "http://127.0.0.1:" + listener;

        // No token → 401 with the RFC 6750 challenge and a JSON reason; the backend never sees it.
        HttpResponse<String> none = get(base + "/orders", Map.of());
        assertThat(none.statusCode()).as(envoy.admin("/stats?filter=ext_authz") + envoy.admin("/clusters")).isEqualTo(401);
        assertThat(none.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"embassy\"");
        assertThat(none.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(JSON.readTree(none.body()).get("error").asText()).isEqualTo("unauthorized");

        // Wrong audience → 401 invalid_token.
        HttpResponse<String> wrongAudience = get(base + "/orders",
            Map.of("authorization", "Bearer " + idp.token("alice", "billing-api", Map.of("scope", "orders:read"), 300)));
        assertThat(wrongAudience.statusCode()).isEqualTo(401);
        assertThat(wrongAudience.headers().firstValue("www-authenticate").orElseThrow())
            .startsWith("Bearer realm=\"embassy\", error=\"invalid_token\", error_description=");

        // Missing scope → 403 insufficient_scope.
        HttpResponse<String> noScope = get(base + "/orders",
            Map.of("authorization", "Bearer " + idp.token("alice", "orders-api", Map.of("scope", "profile"), 300)));
        assertThat(noScope.statusCode()).isEqualTo(403);
        assertThat(noScope.headers().firstValue("www-authenticate").orElseThrow()).contains("error=\"insufficient_scope\"", "scope=\"orders:read\"");
        assertThat(JSON.readTree(noScope.body()).get("error").asText()).isEqualTo("insufficient_scope");
        assertThat(backend.requestCount()).isZero();

        // Valid token → 200; identity headers arrive, spoofed ones are replaced or removed.
        String token = idp.token("alice", "orders-api", Map.of("scope", "orders:read profile"), 300);
        HttpResponse<String> ok = get(base + "/orders/42", Map.of("authorization", "Bearer " + token,
            "x-user-id", "admin", "x-user-email", "admin@example.com", "x-user-scopes", "orders:admin"));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        JsonNode seen = JSON.readTree(ok.body()).get("headers");
        assertThat(seen.get("x-user-id").asText()).isEqualTo("alice");
        assertThat(seen.get("x-user-scopes").asText()).isEqualTo("orders:read profile");
        assertThat(seen.has("x-user-email")).as("spoofed header for a claim the token lacks is removed").isFalse();

        // Public route: no token needed, and ext_authz is not consulted.
        HttpResponse<String> open = get(base + "/public/health", Map.of());
        assertThat(open.statusCode()).isEqualTo(200);

        // auth-service unreachable → 503 from Envoy (status_on_error), never a pass.
        auth.close();
        HttpResponse<String> down = get(base + "/orders", Map.of("authorization", "Bearer " + token));
        assertThat(down.statusCode()).isEqualTo(503);
      }
    }
  }

  private static HttpResponse<String> get(String url, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(url)).timeout(Duration.ofSeconds(5));
    headers.forEach(request::header);
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String url) throws URISyntaxException {
    return new URI(url);
  }
}
