package dev.embassy.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstanceMetadataTest {
  @Test
  void weightComesFromServiceMetaWhenItIsAUsableInteger() {
    assertThat(InstanceMetadata.weight(withServiceMeta(Map.of("embassy-weight", "7")))).hasValue(7);
    assertThat(InstanceMetadata.weight(withServiceMeta(Map.of("embassy-weight", " 1000 ")))).hasValue(1000);
    assertThat(InstanceMetadata.weight(withServiceMeta(Map.of()))).isEmpty();
    // Envoy refuses a zero weight; nonsense must not reach it.
    assertThat(InstanceMetadata.weight(withServiceMeta(Map.of("embassy-weight", "0")))).isEmpty();
    assertThat(InstanceMetadata.weight(withServiceMeta(Map.of("embassy-weight", "1001")))).isEmpty();
    assertThat(InstanceMetadata.weight(withServiceMeta(Map.of("embassy-weight", "heavy")))).isEmpty();
  }

  @Test
  void localityComesFromNodeMeta() {
    ServiceInstance instance =
        new ServiceInstance("a", "web", "n", "10.0.0.1", 80, List.of(), Map.of(),
            Map.of("embassy-region", "eu-west", "embassy-zone", ""), "dc1", InstanceHealth.PASSING);
    assertThat(InstanceMetadata.region(instance)).contains("eu-west");
    assertThat(InstanceMetadata.zone(instance)).isEmpty();
  }

  private static ServiceInstance withServiceMeta(Map<String, String> meta) {
    return new ServiceInstance("a", "web", "n", "10.0.0.1", 80, List.of(), meta, Map.of(), "dc1", InstanceHealth.PASSING);
  }
}
