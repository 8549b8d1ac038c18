package dev.embassy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Code;
import dev.embassy.config.model.AuthPolicy;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * auth-service against a real OIDC provider (mock-oauth2-server) and a real config store: keys
 * found by OIDC discovery, tokens the provider issued, key rotation (a new kid is picked up by the
 * unknown-kid refetch, the old kid stops working), expiry, and an IdP outage (cached keys keep
 * working, health says degraded).
 */
@ExtendWith(PostgresExtension.class)
class OidcProviderIT {
  private static AuthPolicy policy(OidcProvider idp, String clockSkew) {
    return new AuthPolicy("orders-read", Map.of(),
        List.of(new AuthPolicy.JwtProvider("demo", idp.issuer(), Optional.of(idp.discoveryUrl()), Optional.empty(),
            List.of("orders-api"), List.of("RS256"), clockSkew, Optional.empty())),
        new AuthPolicy.Requirements(AuthPolicy.Mode.all, List.of("orders:read"), List.of()),
        Optional.empty(),
        List.of(new AuthPolicy.ClaimHeader("sub", "x-user-id"), new AuthPolicy.ClaimHeader("scope", "x-user-scopes"),
            new AuthPolicy.ClaimHeader("email", "x-user-email")),
        true, false, Optional.empty());
  }

  private static Map<String, String> bearer(String token) {
    return Map.of("authorization", "Bearer " + token);
  }

  private static Map<String, String> headers(CheckResponse response) {
    return response.getOkResponse().getHeadersList().stream()
        .collect(Collectors.toMap(h -> h.getHeader().getKey(), h -> h.getHeader().getValue()));
  }

  @Test
  void discoveryTokensRotationAndExpiry(TestDatabase db) throws Exception {
    try (OidcProvider idp = OidcProvider.start(FreePorts.one(), "key-1");
        AuthServiceHarness auth = AuthServiceHarness.start(db,
            // The wait is raised from 100 ms so a loaded CI machine's first connection to the
            // restarted IdP cannot make the assertion flaky; the mechanism is the same.
            Map.of("EMBASSY_AUTH_KID_REFETCH_INTERVAL", "0ms", "EMBASSY_AUTH_KID_REFETCH_WAIT", "3s"))) {
      auth.put(policy(idp, "1s"));
      AuthServiceHarness.await(() -> auth.service().health().report().ready(), Duration.ofSeconds(10), "ready");

      // A token the IdP issued, keys found through discovery.
      String first = idp.token("alice", "orders-api", Map.of("scope", "orders:read profile"), 300);
      CheckResponse allowed = auth.check("orders-read", bearer(first));
      assertThat(allowed.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
      assertThat(headers(allowed)).containsEntry("x-user-id", "alice").containsEntry("x-user-scopes", "orders:read profile");
      assertThat(allowed.getOkResponse().getHeadersList()).allMatch(h -> h.getAppendAction() == HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
      // No email claim: the header is removed so a client cannot send its own; authorization stripped.
      assertThat(allowed.getOkResponse().getHeadersToRemoveList()).containsExactlyInAnyOrder("x-user-email", "authorization");
      assertThat(allowed.getDynamicMetadata().getFieldsMap().get("sub").getStringValue()).isEqualTo("alice");
      assertThat(allowed.getDynamicMetadata().getFieldsMap().get("scope").getStringValue()).isEqualTo("orders:read profile");

      // Wrong audience and missing scope, from the same real IdP.
      assertThat(auth.check("orders-read", bearer(idp.token("alice", "billing-api", Map.of("scope", "orders:read"), 300)))
          .getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
      CheckResponse noScope = auth.check("orders-read", bearer(idp.token("alice", "orders-api", Map.of("scope", "profile"), 300)));
      assertThat(noScope.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
      assertThat(noScope.getDeniedResponse().getHeadersList()).anyMatch(h -> h.getHeader().getKey().equals("www-authenticate")
          && h.getHeader().getValue().equals("Bearer realm=\"embassy\", error=\"insufficient_scope\", "
              + "error_description=\"the credential does not meet this route's requirements\", scope=\"orders:read\""));

      // Rotation: the IdP now signs with key-2 and no longer publishes key-1.
      idp.rotate("key-2");
      String second = idp.token("bob", "orders-api", Map.of("scope", "orders:read"), 300);
      CheckResponse rotated = auth.check("orders-read", bearer(second));
      assertThat(rotated.getStatus().getCode()).as("a new kid is fetched on first sight: %s", rotated.getDeniedResponse().getBody())
          .isEqualTo(Code.OK_VALUE);
      CheckResponse old = auth.check("orders-read", bearer(first));
      assertThat(old.getDeniedResponse().getStatus().getCodeValue()).as("the rotated-out kid fails closed").isEqualTo(401);
      assertThat(old.getDeniedResponse().getBody()).contains("signing key is not known");
      assertThat(auth.status("/metrics").body()).contains("trigger=\"unknown_kid\"");

      // Expiry: valid now, refused once exp passes (the verified-token cache must not outlive it).
      String shortLived = idp.token("carol", "orders-api", Map.of("scope", "orders:read"), 2);
      assertThat(auth.check("orders-read", bearer(shortLived)).getStatus().getCode()).isEqualTo(Code.OK_VALUE);
      Thread.sleep(4_000);
      CheckResponse expired = auth.check("orders-read", bearer(shortLived));
      assertThat(expired.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
      assertThat(expired.getDeniedResponse().getBody()).contains("expired");

      // IdP outage: cached keys keep serving; a failed refetch makes health degraded.
      idp.stop();
      assertThat(auth.check("orders-read", bearer(second)).getStatus().getCode()).isEqualTo(Code.OK_VALUE);
      String unknownKid = TestKeys.rsa("key-3").sign(Map.of("iss", idp.issuer(), "aud", "orders-api", "sub", "mallory",
          "exp", System.currentTimeMillis() / 1000 + 300, "scope", "orders:read"));
      assertThat(auth.check("orders-read", bearer(unknownKid)).getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
      AuthServiceHarness.await(() -> auth.status("/healthz").body().contains("degraded"), Duration.ofSeconds(5), "degraded health");
      assertThat(auth.status("/healthz").statusCode()).isEqualTo(200);
      assertThat(auth.status("/healthz").body()).contains("using cached keys");
      String fresh = TestKeys.rsa("key-2").sign(Map.of("iss", idp.issuer(), "aud", "orders-api", "sub", "x",
          "exp", System.currentTimeMillis() / 1000 + 300));
      assertThat(auth.check("orders-read", bearer(fresh)).getDeniedResponse().getStatus().getCodeValue())
          .as("a key of the same kid but not the IdP's").isEqualTo(401);
    }
  }
}
