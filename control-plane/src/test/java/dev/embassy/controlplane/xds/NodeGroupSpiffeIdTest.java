package dev.embassy.controlplane.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.testsupport.TestCertificates;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeGroupSpiffeIdTest {
  private static final TestCertificates CA = TestCertificates.authority("spiffe-test-ca");
  @TempDir Path dir;

  @Test
  void aCertificateNamesTheNodeGroupOfItsSpiffeId() {
    var cert = CA.client(dir, "edge", "spiffe://embassy/node-group/edge").x509();
    assertThat(NodeGroupSpiffeId.nodeGroup(cert, "embassy")).hasValue("edge");
    assertThat(NodeGroupSpiffeId.of("embassy", "edge")).isEqualTo("spiffe://embassy/node-group/edge");
  }

  @Test
  void anotherTrustDomainOrPathNamesNoGroup() {
    assertThat(NodeGroupSpiffeId.nodeGroup(CA.client(dir, "a", "spiffe://other/node-group/edge").x509(), "embassy")).isEmpty();
    assertThat(NodeGroupSpiffeId.nodeGroup(CA.client(dir, "b", "spiffe://embassy/ns/default/sa/edge").x509(), "embassy")).isEmpty();
    assertThat(NodeGroupSpiffeId.nodeGroup(CA.client(dir, "c", "spiffe://embassy/node-group/edge/x").x509(), "embassy")).isEmpty();
    assertThat(NodeGroupSpiffeId.nodeGroup(CA.client(dir, "d", "spiffe://embassy/node-group/").x509(), "embassy")).isEmpty();
    assertThat(NodeGroupSpiffeId.nodeGroup(CA.client(dir, "e").x509(), "embassy")).as("no SAN").isEmpty();
  }

  @Test
  void twoSpiffeIdsNameNoGroup() {
    // SPIFFE allows one SPIFFE ID per certificate; picking either would be a guess.
    var cert = CA.client(dir, "two", "spiffe://embassy/node-group/edge", "spiffe://embassy/node-group/payments").x509();
    assertThat(NodeGroupSpiffeId.nodeGroup(cert, "embassy")).isEmpty();
    var withOtherUri = CA.client(dir, "uri", "https://example.test/x", "spiffe://embassy/node-group/edge").x509();
    assertThat(NodeGroupSpiffeId.nodeGroup(withOtherUri, "embassy")).as("a non-SPIFFE URI beside it is ignored").hasValue("edge");
  }
}
