package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestCertificates;
import dev.embassy.testsupport.TestDatabase;
import dev.embassy.testsupport.TlsContexts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTPS listener with two certificates for different hostnames, through a real Envoy on the
 * generated config: each TLS handshake gets the certificate whose name matches its SNI (checked
 * by the JDK client's hostname verification and by the served leaf's SAN), and the request over
 * it is routed by hostname.
 */
@ExtendWith(PostgresExtension.class)
class HttpsListenerIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void eachSniNameGetsItsOwnCertificateAndRoute(TestDatabase database, @TempDir Path dir) throws Exception {
    TestCertificates ca = TestCertificates.authority("embassy e2e CA");
    TestCertificates.Issued shop = ca.serverFor(dir, "shop", "shop.example.test");
    TestCertificates.Issued api = ca.serverFor(dir, "api", "api.example.test");
    try (DemoBackend shopBackend = DemoBackend.start("shop");
        DemoBackend apiBackend = DemoBackend.start("api");
        Gateway gateway = Gateway.start(database, Map.of())) {
      gateway.envoy().awaitReady(Duration.ofSeconds(30));
      gateway.apply("""
          certificates:
            - {name: shop-tls, certificateChain: %s, privateKey: %s}
            - {name: api-tls, certificateChain: %s, privateKey: %s}
          clusters:
            - {name: shop, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
            - {name: api, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
          gateways:
            - name: edge
              nodeGroup: edge
              listeners:
                - {name: https, port: ${LISTENER_PORT}, protocol: HTTPS, tls: {certificateRefs: [shop-tls, api-tls]}}
          routes:
            - {name: shop, gateway: edge, hostnames: [shop.example.test], rules: [{backendRefs: [{cluster: shop}]}]}
            - {name: api, gateway: edge, hostnames: [api.example.test], rules: [{backendRefs: [{cluster: api}]}]}
          """.formatted(pem(shop.certificate()), pem(shop.privateKey()), pem(api.certificate()), pem(api.privateKey()),
          shopBackend.port(), apiBackend.port()));
      SSLContext client = TlsContexts.client(ca.certificate(), Optional.empty());

      for (String name : List.of("shop", "api")) {
        String hostname = name + ".example.test";
        TlsExchange.Response response = TlsExchange.get(client, gateway.listenerPort(), hostname, "/hello", Map.of());
        assertThat(dnsNames(response.served())).as("the certificate served for SNI " + hostname).containsExactly(hostname);
        assertThat(response.served().getSubjectX500Principal().getName()).isEqualTo("CN=" + name);
        assertThat(response.status()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).path("backend").asText()).as("routed by hostname").isEqualTo(name);
      }
    }
  }

  /**
   * Mutual TLS, both modes on one Envoy. Required: no certificate and a certificate from another
   * CA are refused in the handshake (Envoy's listener SSL stats say why), the CA's certificate gets
   * 200 and the backend sees its identity in X-Forwarded-Client-Cert. Optional: no certificate
   * still gets 200, and a client's own X-Forwarded-Client-Cert never reaches the backend.
   */
  @Test
  void clientCertificatesAreVerifiedAndTheirIdentityForwarded(TestDatabase database, @TempDir Path dir) throws Exception {
    TestCertificates serverCa = TestCertificates.authority("embassy e2e server CA");
    TestCertificates clientCa = TestCertificates.authority("embassy e2e client CA");
    TestCertificates strangerCa = TestCertificates.authority("somebody else's CA");
    TestCertificates.Issued server = serverCa.serverFor(dir, "edge", "edge.example.test");
    TestCertificates.Issued checkout = clientCa.client(dir, "checkout",
        List.of("spiffe://embassy.test/ns/shop/sa/checkout"), List.of("checkout.shop.example.test"));
    TestCertificates.Issued stranger = strangerCa.client(dir, "stranger", List.of("spiffe://embassy.test/ns/shop/sa/checkout"), List.of());
    int optionalPort = dev.embassy.testsupport.FreePorts.one();
    try (DemoBackend backend = DemoBackend.start("app");
        Gateway gateway = Gateway.start(database, Map.of())) {
      gateway.envoy().awaitReady(Duration.ofSeconds(30));
      gateway.apply("""
          certificates:
            - {name: edge-tls, certificateChain: %s, privateKey: %s}
            - {name: clients-ca, certificateChain: %s}
          clusters:
            - {name: app, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
          gateways:
            - name: edge
              nodeGroup: edge
              listeners:
                - name: required
                  port: ${LISTENER_PORT}
                  protocol: HTTPS
                  tls: {certificateRefs: [edge-tls], clientCertificates: {mode: Required, caCertificateRef: clients-ca}}
                - name: optional
                  port: %d
                  protocol: HTTPS
                  tls: {certificateRefs: [edge-tls], clientCertificates: {mode: Optional, caCertificateRef: clients-ca}}
          authPolicies:
            - name: partner-keys
              apiKeys: {keys: [{name: ci-bot, sha256: b451cd024ce577385e4d3d6559ac2ed3be36b784331ada676fd0e814835920cf}]}
          routes:
            - {name: app, gateway: edge, rules: [{backendRefs: [{cluster: app}]}]}
            - {name: keyed, gateway: edge, authPolicy: partner-keys, rules: [{matches: [{path: {value: /keyed}}], backendRefs: [{cluster: app}]}]}
          """.formatted(pem(server.certificate()), pem(server.privateKey()), JSON.writeValueAsString(pemOf(clientCa, dir)),
          backend.port(), optionalPort));
      X509Certificate trusted = serverCa.certificate();
      SSLContext anonymous = TlsContexts.client(trusted, Optional.empty());
      SSLContext withCheckout = TlsContexts.client(trusted, Optional.of(checkout));
      SSLContext withStranger = TlsContexts.client(trusted, Optional.of(stranger));
      String spoofed = "By=spiffe://evil;URI=spiffe://embassy.test/ns/admin/sa/root";
      int required = gateway.listenerPort();

      TlsExchange.Response verified = TlsExchange.get(withCheckout, required, "edge.example.test", "/orders",
          Map.of("x-forwarded-client-cert", spoofed));
      assertThat(verified.status()).isEqualTo(200);
      String xfcc = json(verified.body()).path("headers").path("x-forwarded-client-cert").asText();
      assertThat(xfcc).as("the verified identity, and only it")
          .contains("Subject=\"CN=checkout\"", "URI=spiffe://embassy.test/ns/shop/sa/checkout", "DNS=checkout.shop.example.test")
          .doesNotContain("evil", "ns/admin");

      assertThatThrownBy(() -> TlsExchange.get(anonymous, required, "edge.example.test", "/orders", Map.of()))
          .as("no client certificate on a Required listener").isInstanceOf(java.io.IOException.class);
      assertThatThrownBy(() -> TlsExchange.get(withStranger, required, "edge.example.test", "/orders", Map.of()))
          .as("a client certificate from another CA").isInstanceOf(java.io.IOException.class);
      String prefix = "listener.127.0.0.1_" + required + ".ssl.";
      Gateway.await(() -> gateway.envoy().stat(prefix + "fail_verify_no_cert") == 1 && gateway.envoy().stat(prefix + "fail_verify_error") == 1,
          Duration.ofSeconds(5), "Envoy counts one refusal for the missing certificate and one for the stranger's: "
              + gateway.envoy().admin("/stats?filter=ssl"));

      TlsExchange.Response noCertificate = TlsExchange.get(anonymous, optionalPort, "edge.example.test", "/orders",
          Map.of("x-forwarded-client-cert", spoofed));
      assertThat(noCertificate.status()).isEqualTo(200);
      assertThat(json(noCertificate.body()).path("headers").has("x-forwarded-client-cert")).as("a client's own XFCC is dropped").isFalse();
      TlsExchange.Response optionalVerified = TlsExchange.get(withCheckout, optionalPort, "edge.example.test", "/orders", Map.of());
      assertThat(json(optionalVerified.body()).path("headers").path("x-forwarded-client-cert").asText())
          .contains("URI=spiffe://embassy.test/ns/shop/sa/checkout");
      assertThatThrownBy(() -> TlsExchange.get(withStranger, optionalPort, "edge.example.test", "/orders", Map.of()))
          .as("Optional still verifies a certificate that is presented").isInstanceOf(java.io.IOException.class);

      // auth-service sees the verified principal in its Check (Envoy's source.principal), and only
      // from a connection that presented a certificate.
      Map<String, String> key = Map.of("x-api-key", "docs-example-key-ci-bot-7f3a9c");
      assertThat(TlsExchange.get(withCheckout, required, "edge.example.test", "/keyed", key).status()).isEqualTo(200);
      assertThat(TlsExchange.get(anonymous, optionalPort, "edge.example.test", "/keyed", key).status()).isEqualTo(200);
      assertThat(TlsExchange.get(withCheckout, optionalPort, "edge.example.test", "/keyed", Map.of()).status()).isEqualTo(401);
      String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + gateway.auth().statusPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).as("two of the three Checks came with a verified client certificate")
          .contains("embassy_auth_client_certificate_checks_total{policy=\"partner-keys\"} 2.0");
    }
  }

  private static String pemOf(TestCertificates ca, Path dir) throws java.io.IOException {
    return Files.readString(ca.writeCertificate(dir.resolve("client-ca.pem")));
  }

  /** A PEM file as a YAML double-quoted scalar. */
  static String pem(Path file) throws java.io.IOException {
    return JSON.writeValueAsString(Files.readString(file));
  }

  static List<String> dnsNames(X509Certificate certificate) throws java.security.cert.CertificateParsingException {
    return certificate.getSubjectAlternativeNames().stream().filter(san -> (Integer) san.get(0) == 2).map(san -> (String) san.get(1)).toList();
  }

  static JsonNode json(String body) throws java.io.IOException {
    return JSON.readTree(body);
  }
}
