package dev.embassy.controlplane.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContentVersionTest {
  private static Cluster cluster(String name) {
    return Cluster.newBuilder().setName(name).build();
  }

  @Test
  void sameContentGivesSameVersionAcrossInstances() {
    assertThat(ContentVersion.of(List.of(cluster("a"), cluster("b"))))
        .isEqualTo(ContentVersion.of(List.of(Cluster.newBuilder().setName("a").build(), cluster("b"))));
  }

  @Test
  void anyChangeOfContentChangesTheVersion() {
    String base = ContentVersion.of(List.of(cluster("a"), cluster("b")));
    assertThat(ContentVersion.of(List.of(cluster("a"), cluster("c")))).isNotEqualTo(base);
    assertThat(ContentVersion.of(List.of(cluster("a")))).isNotEqualTo(base);
    assertThat(ContentVersion.of(List.of(cluster("ab")))).isNotEqualTo(ContentVersion.of(List.of(cluster("a"), cluster("b"))));
  }
}
