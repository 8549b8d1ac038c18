package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestCertificates;
import dev.embassy.testsupport.TestDatabase;
import dev.embassy.testsupport.TlsContexts;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream TLS through a real Envoy on the generated config, to a JDK HTTPS backend whose
 * certificate (from a test CA, the cluster's caCertificateRef) names backend.internal and a SPIFFE
 * ID. The chain always verifies; what decides is the subject alt name check: explicit DNS and URI
 * prefix matchers, and, without any, the SNI name. A mismatch is Envoy's 503 with its upstream
 * TLS failure, counted in the cluster's ssl.fail_verify_san.
 */
@ExtendWith(PostgresExtension.class)
class UpstreamTlsIT {
  @Test
  void theUpstreamCertificateMustCarryTheExpectedName(TestDatabase database, @TempDir Path dir) throws Exception {
    TestCertificates ca = TestCertificates.authority("embassy e2e backend CA");
    TestCertificates.Issued identity = ca.serverFor(dir, "backend", List.of("backend.internal"),
        List.of("spiffe://embassy.test/ns/backend/sa/api"));
    Path caPem = ca.writeCertificate(dir.resolve("ca.pem"));
    try (DemoBackend backend = DemoBackend.startHttps("tls-backend", TlsContexts.server(identity));
        Gateway gateway = Gateway.start(database, Map.of())) {
      gateway.envoy().awaitReady(Duration.ofSeconds(30));
      String endpoint = "{static: {endpoints: [{address: 127.0.0.1, port: %d}]}}".formatted(backend.port());
      gateway.apply("""
          certificates:
            - {name: backend-ca, certificateChain: %2$s}
          clusters:
            - {name: dns-san, discovery: %1$s, tls: {sni: backend.internal, caCertificateRef: backend-ca, subjectAltNames: [{type: DNS, value: backend.internal}]}}
            - {name: wrong-dns-san, discovery: %1$s, tls: {sni: backend.internal, caCertificateRef: backend-ca, subjectAltNames: [{type: DNS, value: other.internal}]}}
            - {name: sni-name, discovery: %1$s, tls: {sni: backend.internal, caCertificateRef: backend-ca}}
            - {name: wrong-sni-name, discovery: %1$s, tls: {sni: impostor.internal, caCertificateRef: backend-ca}}
            - {name: spiffe-prefix, discovery: %1$s, tls: {caCertificateRef: backend-ca, subjectAltNames: [{type: URI, value: "spiffe://embassy.test/ns/backend/", match: Prefix}]}}
            - {name: wrong-spiffe, discovery: %1$s, tls: {caCertificateRef: backend-ca, subjectAltNames: [{type: URI, value: "spiffe://embassy.test/ns/other/", match: Prefix}]}}
          gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: ${LISTENER_PORT}}]}]
          routes:
            - name: upstreams
              gateway: edge
              rules:
                - {matches: [{path: {type: PathPrefix, value: /dns-san}}], backendRefs: [{cluster: dns-san}]}
                - {matches: [{path: {type: PathPrefix, value: /wrong-dns-san}}], backendRefs: [{cluster: wrong-dns-san}]}
                - {matches: [{path: {type: PathPrefix, value: /sni-name}}], backendRefs: [{cluster: sni-name}]}
                - {matches: [{path: {type: PathPrefix, value: /wrong-sni-name}}], backendRefs: [{cluster: wrong-sni-name}]}
                - {matches: [{path: {type: PathPrefix, value: /spiffe-prefix}}], backendRefs: [{cluster: spiffe-prefix}]}
                - {matches: [{path: {type: PathPrefix, value: /wrong-spiffe}}], backendRefs: [{cluster: wrong-spiffe}]}
          """.formatted(endpoint, HttpsListenerIT.pem(caPem)));

      for (String accepted : List.of("dns-san", "sni-name", "spiffe-prefix")) {
        HttpResponse<String> response = gateway.get("/" + accepted, Map.of());
        assertThat(response.statusCode()).as(accepted + ": " + response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-backend")).hasValue("tls-backend");
      }
      long servedBefore = backend.requestCount();
      for (String refused : List.of("wrong-dns-san", "wrong-sni-name", "wrong-spiffe")) {
        HttpResponse<String> response = gateway.get("/" + refused, Map.of());
        assertThat(response.statusCode()).as(refused).isEqualTo(503);
        assertThat(response.body()).as(refused).startsWith("upstream connect error");
        assertThat(gateway.envoy().stat("cluster." + refused + ".ssl.fail_verify_san")).as(refused).isPositive();
        assertThat(gateway.envoy().stat("cluster." + refused + ".ssl.handshake")).as(refused + ": no handshake completed").isZero();
      }
      assertThat(backend.requestCount()).as("no refused request reached the backend").isEqualTo(servedBefore);
    }
  }

}
