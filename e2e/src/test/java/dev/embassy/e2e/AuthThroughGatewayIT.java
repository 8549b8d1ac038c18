package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embassy.auth.OidcProvider;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 6's end-to-end cases through the config the control plane generates (ext_authz on the
 * listener, the policy named per route, public routes exempt), a real Envoy, the real auth-service
 * following the store, and a real OIDC provider; then a policy change followed live.
 */
@ExtendWith(PostgresExtension.class)
class AuthThroughGatewayIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void routesAreProtectedByTheirPolicyAndPublicRoutesAreNot(TestDatabase database) throws Exception {
    try (OidcProvider idp = OidcProvider.start(FreePorts.one(), "key-1");
        DemoBackend orders = DemoBackend.start("orders");
        Gateway gateway = Gateway.start(database, Map.of())) {
      gateway.envoy().awaitReady(java.time.Duration.ofSeconds(30));
      gateway.apply(config(idp, orders, "orders:read"));

      HttpResponse<String> none = gateway.get("/orders", Map.of());
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"embassy\"");

      HttpResponse<String> wrongAudience = gateway.get("/orders",
          Map.of("authorization", "Bearer " + idp.token("alice", "someone-else", Map.of("scope", "orders:read"), 300)));
      assertThat(wrongAudience.statusCode()).isEqualTo(401);
      assertThat(wrongAudience.headers().firstValue("www-authenticate").orElseThrow()).contains("error=\"invalid_token\"");

      HttpResponse<String> missingScope = gateway.get("/orders",
          Map.of("authorization", "Bearer " + idp.token("alice", "orders-api", Map.of("scope", "profile"), 300)));
      assertThat(missingScope.statusCode()).isEqualTo(403);
      assertThat(missingScope.headers().firstValue("www-authenticate").orElseThrow()).contains("error=\"insufficient_scope\"");
      assertThat(orders.requestCount()).as("nothing denied reaches the backend").isZero();

      String token = idp.token("alice", "orders-api", Map.of("scope", "orders:read"), 300);
      HttpResponse<String> ok = gateway.get("/orders/7", Map.of("authorization", "Bearer " + token, "x-user-id", "mallory"));
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      JsonNode seen = JSON.readTree(ok.body()).path("headers");
      assertThat(seen.path("x-user-id").asText()).as("identity from the token, the client's spoofed one replaced").isEqualTo("alice");
      assertThat(seen.path("x-user-scopes").asText()).isEqualTo("orders:read");

      assertThat(gateway.get("/public/status", Map.of()).statusCode()).as("a public route needs no token").isEqualTo(200);

      // stripAuthorization takes the credential out wherever the policy read it from.
      HttpResponse<String> byQuery = gateway.get("/query/7?a=1&access_token=" + token + "&b=2", Map.of());
      assertThat(byQuery.statusCode()).as(byQuery.body()).isEqualTo(200);
      assertThat(JSON.readTree(byQuery.body()).path("path").asText()).as("the token's query parameter removed, the others kept")
          .isEqualTo("/query/7?a=1&b=2");
      HttpResponse<String> byCookie = gateway.get("/cookie/7", Map.of("cookie", "theme=dark; session=" + token + "; lang=en"));
      assertThat(byCookie.statusCode()).as(byCookie.body()).isEqualTo(200);
      assertThat(JSON.readTree(byCookie.body()).path("headers").path("cookie").asText()).as("the token's cookie removed, the others kept")
          .isEqualTo("theme=dark; lang=en");
      HttpResponse<String> byHeader = gateway.get("/header/7", Map.of("x-token", token, "authorization", "Basic c29tZW9uZQ=="));
      assertThat(byHeader.statusCode()).as(byHeader.body()).isEqualTo(200);
      assertThat(JSON.readTree(byHeader.body()).path("headers").has("x-token")).as("the token's own header removed").isFalse();
      assertThat(JSON.readTree(byHeader.body()).path("headers").has("authorization")).as("and Authorization too").isFalse();

      // The policy changes in the store; auth-service and Envoy follow without a restart.
      gateway.apply(config(idp, orders, "orders:write"));
      assertThat(gateway.get("/orders/7", Map.of("authorization", "Bearer " + token)).statusCode()).isEqualTo(403);
    }
  }

  private static String config(OidcProvider idp, DemoBackend backend, String scope) {
    return """
        clusters:
          - {name: orders, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
        authPolicies:
          - name: orders-jwt
            providers:
              - {name: demo, issuer: "%s", discoveryUrl: "%s", audiences: [orders-api]}
            requirements: {scopes: [%s]}
            forwardClaims: [{claim: sub, header: x-user-id}, {claim: scope, header: x-user-scopes}]
          - name: by-query
            providers: [{name: demo, issuer: "%2$s", discoveryUrl: "%3$s", audiences: [orders-api]}]
            tokenSource: {queryParam: access_token}
            stripAuthorization: true
          - name: by-cookie
            providers: [{name: demo, issuer: "%2$s", discoveryUrl: "%3$s", audiences: [orders-api]}]
            tokenSource: {cookie: session}
            stripAuthorization: true
          - name: by-header
            providers: [{name: demo, issuer: "%2$s", discoveryUrl: "%3$s", audiences: [orders-api]}]
            tokenSource: {header: x-token}
            stripAuthorization: true
        gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: ${LISTENER_PORT}}]}]
        routes:
          - {name: orders, gateway: edge, authPolicy: orders-jwt,
             rules: [{matches: [{path: {value: /orders}}], backendRefs: [{cluster: orders}]}]}
          - {name: public, gateway: edge,
             rules: [{matches: [{path: {value: /public}}], backendRefs: [{cluster: orders}]}]}
          - {name: by-query, gateway: edge, authPolicy: by-query,
             rules: [{matches: [{path: {value: /query}}], backendRefs: [{cluster: orders}]}]}
          - {name: by-cookie, gateway: edge, authPolicy: by-cookie,
             rules: [{matches: [{path: {value: /cookie}}], backendRefs: [{cluster: orders}]}]}
          - {name: by-header, gateway: edge, authPolicy: by-header,
             rules: [{matches: [{path: {value: /header}}], backendRefs: [{cluster: orders}]}]}
        """.formatted(backend.port(), idp.issuer(), idp.discoveryUrl(), scope);
  }
}
