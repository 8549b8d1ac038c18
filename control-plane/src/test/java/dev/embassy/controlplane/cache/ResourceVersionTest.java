package dev.embassy.controlplane.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceVersionTest {
  private static Cluster cluster(String name) {
    return Cluster.newBuilder().setName(name).build();
  }

  @Test
  void sameContentGivesSameVersionAcrossInstances() {
    assertThat(ResourceVersion.of(List.of(cluster("a"), cluster("b"))))
        .isEqualTo(ResourceVersion.of(List.of(Cluster.newBuilder().setName("a").build(), cluster("b"))));
  }

  @Test
  void anyChangeOfContentChangesTheVersion() {
    String base = ResourceVersion.of(List.of(cluster("a"), cluster("b")));
    assertThat(ResourceVersion.of(List.of(cluster("a"), cluster("c")))).isNotEqualTo(base);
    assertThat(ResourceVersion.of(List.of(cluster("a")))).isNotEqualTo(base);
    assertThat(ResourceVersion.of(List.of(cluster("ab")))).isNotEqualTo(ResourceVersion.of(List.of(cluster("a"), cluster("b"))));
  }
}
