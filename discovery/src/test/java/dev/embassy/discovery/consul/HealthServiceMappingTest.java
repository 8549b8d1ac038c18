package dev.embassy.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;

import com.ecwid.consul.UrlParameters;
import com.ecwid.consul.v1.health.model.Check;
import com.ecwid.consul.v1.health.model.HealthService;
import dev.embassy.discovery.InstanceHealth;
import dev.embassy.discovery.ServiceInstance;
import dev.embassy.discovery.ServiceQuery;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HealthServiceMappingTest {
  private static final ServiceQuery PASSING_ONLY = ServiceQuery.of("web");
  private static final ServiceQuery WITH_WARNING = new ServiceQuery("web", List.of(), Optional.empty(), Map.of(), true);

  @Test
  void theRequestCarriesEveryFilterAsConsulQueryParameters() {
    ServiceQuery query =
        new ServiceQuery("web", List.of("v2", "canary"), Optional.of("dc2"), Map.of("embassy-zone", "a"), false);
    assertThat(parameters(HealthServiceMapping.request(query, 42, 300)))
        .contains("tag=canary", "tag=v2", "node-meta=embassy-zone:a", "dc=dc2", "passing=true", "index=42", "wait=300s")
        .noneMatch(p -> p.startsWith("token"));
  }

  @Test
  void warningInstancesAreAskedForWithoutThePassingFilter() {
    // consul-api sends passing=false rather than leaving it out; Consul parses the value
    // (ConsulServiceWatcherIT proves warning instances come back).
    assertThat(parameters(HealthServiceMapping.request(WITH_WARNING, 0, 300)))
        .contains("passing=false")
        .doesNotContain("passing=true")
        .noneMatch(p -> p.startsWith("tag="))
        .noneMatch(p -> p.startsWith("dc="));
  }

  @Test
  void theWorstCheckDecidesAndCriticalOrUnknownMeansDown() {
    assertThat(HealthServiceMapping.aggregate(List.of())).contains(InstanceHealth.PASSING);
    assertThat(HealthServiceMapping.aggregate(checks(Check.CheckStatus.PASSING, Check.CheckStatus.PASSING))).contains(InstanceHealth.PASSING);
    assertThat(HealthServiceMapping.aggregate(checks(Check.CheckStatus.PASSING, Check.CheckStatus.WARNING))).contains(InstanceHealth.WARNING);
    assertThat(HealthServiceMapping.aggregate(checks(Check.CheckStatus.WARNING, Check.CheckStatus.CRITICAL))).isEmpty();
    assertThat(HealthServiceMapping.aggregate(checks(Check.CheckStatus.PASSING, Check.CheckStatus.UNKNOWN))).isEmpty();
    assertThat(HealthServiceMapping.aggregate(checks((Check.CheckStatus) null))).isEmpty();
  }

  @Test
  void criticalInstancesAreNeverReportedAndWarningOnlyWhenAskedFor() {
    List<HealthService> entries =
        List.of(
            entry("web-1", "node-b", Check.CheckStatus.PASSING),
            entry("web-2", "node-a", Check.CheckStatus.WARNING),
            entry("web-3", "node-a", Check.CheckStatus.CRITICAL));
    assertThat(HealthServiceMapping.instances(PASSING_ONLY, entries)).extracting(ServiceInstance::id).containsExactly("web-1");
    assertThat(HealthServiceMapping.instances(WITH_WARNING, entries))
        .extracting(ServiceInstance::id, ServiceInstance::health)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("web-2", InstanceHealth.WARNING),
            org.assertj.core.groups.Tuple.tuple("web-1", InstanceHealth.PASSING));
  }

  @Test
  void instancesAreOrderedByNodeThenIdWhateverOrderConsulAnswersIn() {
    List<HealthService> entries =
        List.of(
            entry("b", "node-2", Check.CheckStatus.PASSING),
            entry("c", "node-1", Check.CheckStatus.PASSING),
            entry("a", "node-2", Check.CheckStatus.PASSING));
    assertThat(HealthServiceMapping.instances(PASSING_ONLY, entries)).extracting(ServiceInstance::id).containsExactly("c", "a", "b");
    assertThat(HealthServiceMapping.instances(PASSING_ONLY, entries))
        .isEqualTo(HealthServiceMapping.instances(PASSING_ONLY, entries.reversed()));
  }

  @Test
  void everyFieldIsMappedAndTheNodeAddressStandsInForAMissingServiceAddress() {
    HealthService entry = entry("web-1", "node-1", Check.CheckStatus.PASSING);
    entry.getService().setAddress("");
    entry.getService().setTags(List.of("v2"));
    entry.getService().setMeta(Map.of("embassy-weight", "5"));
    entry.getNode().setMeta(Map.of("embassy-zone", "z1"));
    ServiceInstance instance = HealthServiceMapping.instance(PASSING_ONLY, entry).orElseThrow();
    assertThat(instance)
        .isEqualTo(
            new ServiceInstance("web-1", "web", "node-1", "10.0.0.9", 8080, List.of("v2"), Map.of("embassy-weight", "5"),
                Map.of("embassy-zone", "z1"), "dc1", InstanceHealth.PASSING));
  }

  @Test
  void missingOptionalFieldsBecomeEmptyNotNull() {
    HealthService entry = entry("web-1", "node-1", Check.CheckStatus.PASSING);
    entry.getService().setTags(null);
    entry.getService().setMeta(null);
    entry.getNode().setMeta(null);
    entry.getNode().setDatacenter(null);
    ServiceInstance instance = HealthServiceMapping.instance(PASSING_ONLY, entry).orElseThrow();
    assertThat(instance.tags()).isEmpty();
    assertThat(instance.serviceMeta()).isEmpty();
    assertThat(instance.nodeMeta()).isEmpty();
    assertThat(instance.datacenter()).isEmpty();
  }

  static HealthService entry(String id, String node, Check.CheckStatus status) {
    HealthService.Service service = new HealthService.Service();
    service.setId(id);
    service.setService("web");
    service.setAddress("10.0.1." + (Math.abs(id.hashCode()) % 200));
    service.setPort(8080);
    HealthService.Node consulNode = new HealthService.Node();
    consulNode.setNode(node);
    consulNode.setAddress("10.0.0.9");
    consulNode.setDatacenter("dc1");
    HealthService entry = new HealthService();
    entry.setService(service);
    entry.setNode(consulNode);
    entry.setChecks(checks(Check.CheckStatus.PASSING, status));
    return entry;
  }

  private static List<Check> checks(Check.CheckStatus... statuses) {
    return Arrays.stream(statuses).map(status -> {
      Check check = new Check();
      check.setStatus(status);
      return check;
    }).toList();
  }

  private static List<String> parameters(com.ecwid.consul.ConsulRequest request) {
    return request.asUrlParameters().stream().map(UrlParameters::toUrlParameters).flatMap(List::stream).toList();
  }
}
