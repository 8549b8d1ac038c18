package dev.embassy.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceQueryTest {
  @Test
  void tagOrderAndRepeatsDoNotMakeADifferentQuery() {
    ServiceQuery a = new ServiceQuery("web", List.of("v2", "canary", "v2"), Optional.empty(), Map.of(), false);
    ServiceQuery b = new ServiceQuery("web", List.of("canary", "v2"), Optional.of(" "), Map.of(), false);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.tags()).containsExactly("canary", "v2");
    assertThat(b.datacenter()).isEmpty();
  }

  @Test
  void warningInstancesAreAdmittedOnlyWhenAskedFor() {
    assertThat(ServiceQuery.of("web").admits(InstanceHealth.PASSING)).isTrue();
    assertThat(ServiceQuery.of("web").admits(InstanceHealth.WARNING)).isFalse();
    assertThat(new ServiceQuery("web", List.of(), Optional.empty(), Map.of(), true).admits(InstanceHealth.WARNING)).isTrue();
  }

  @Test
  void aServiceNameIsRequired() {
    assertThatThrownBy(() -> ServiceQuery.of(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
