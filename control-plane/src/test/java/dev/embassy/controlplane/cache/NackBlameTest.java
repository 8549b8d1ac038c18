package dev.embassy.controlplane.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NackBlameTest {
  private static XdsResource cluster(String name) {
    return new XdsResource(name, Cluster.newBuilder().setName(name).build(), "v-" + name, Set.of(), false);
  }

  private final List<XdsResource> sent = List.of(cluster("demo"), cluster("flaky"), cluster("flaky-2"), cluster("other"));

  @Test
  void aClusterNackBlamesOnlyTheClustersEnvoyNames() {
    String detail = "Error adding/updating cluster(s) flaky: Proto constraint validation failed (ClusterValidationError.OutlierDetection: "
        + "value must be less than or equal to 100), other: bad";
    assertThat(NackBlame.blamed(XdsType.CLUSTER, sent, detail)).extracting(XdsResource::name).containsExactly("flaky", "other");
  }

  @Test
  void aNameThatIsOnlyAPrefixOfTheOneNamedIsNotBlamed() {
    assertThat(NackBlame.blamed(XdsType.CLUSTER, sent, "Error adding/updating cluster(s) flaky-2: x")).extracting(XdsResource::name)
        .containsExactly("flaky-2");
  }

  @Test
  void aConstraintViolationBlamesTheResourceEnvoyPrinted() {
    // As a real Envoy wrote it for a cluster with max_ejection_percent 500.
    String detail = "goo.gle/debugproto  \nname: \"flaky\"\ntype: EDS\neds_cluster_config {\n  service_name: \"flaky-2\"\n}\n"
        + "outlier_detection {\n  max_ejection_percent {\n    value: 500\n  }\n}\n: Proto constraint validation failed "
        + "(ClusterValidationError.OutlierDetection: embedded message failed validation | caused by "
        + "OutlierDetectionValidationError.MaxEjectionPercent: value must be less than or equal to 100)";
    assertThat(NackBlame.blamed(XdsType.CLUSTER, sent, detail)).extracting(XdsResource::name).containsExactly("flaky");
  }

  @Test
  void aDetailNamingNoneOfThemBlamesThemAll() {
    assertThat(NackBlame.blamed(XdsType.CLUSTER, sent, "something else went wrong")).isEqualTo(sent);
    assertThat(NackBlame.blamed(XdsType.CLUSTER, sent, "Error adding/updating cluster(s) gone: x")).isEqualTo(sent);
  }

  @Test
  void otherTypesBlameEverythingTheResponseBrought() {
    assertThat(NackBlame.blamed(XdsType.ROUTE, sent, "Error adding/updating cluster(s) flaky: x")).isEqualTo(sent);
  }
}
