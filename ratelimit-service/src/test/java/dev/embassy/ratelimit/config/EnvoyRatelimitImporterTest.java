package dev.embassy.ratelimit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.model.RateLimitPolicy.DescriptorEntry;
import dev.embassy.config.model.RateLimitPolicy.RequestDescriptor;
import dev.embassy.config.validate.ResourceValidator;
import dev.embassy.ratelimit.config.EnvoyRatelimitImporter.ImportException;
import dev.embassy.ratelimit.config.EnvoyRatelimitImporter.Imported;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvoyRatelimitImporterTest {

  @Test
  void everyDocumentedExampleImportsToAValidPolicy() throws Exception {
    List<Path> files = PolicyFiles.configFiles(Examples.dir("envoy-ratelimit-examples"));
    assertThat(files).hasSize(9);
    List<Imported> imported = PolicyFiles.readAll(files);
    assertThat(imported).extracting(i -> i.policy().domain())
        .containsExactly("db_qps", "sms", "edge_per_ip", "depth", "internal_svc", "shadowed", "replacing", "detailed", "wild");
    for (Imported one : imported) {
      assertThat(ResourceValidator.validate(one.policy())).as(one.policy().domain()).isEmpty();
      // What the admin API accepts: the policy survives its strict JSON codec unchanged.
      String json = ConfigJson.json().writeValueAsString(one.policy());
      assertThat(ConfigJson.json().readValue(json, RateLimitPolicy.class)).isEqualTo(one.policy());
    }
  }

  @Test
  void mapsFieldsAndDefaults() {
    RateLimitPolicy policy = Examples.policy("02-nested.yaml");
    assertThat(policy.name()).isEqualTo("sms");
    assertThat(policy.failureMode()).isEqualTo(RateLimitPolicy.FailureMode.open);
    assertThat(policy.mode()).isEqualTo(RateLimitPolicy.Mode.exact);
    assertThat(policy.timeout()).isEqualTo("20ms");
    var promo = policy.descriptors().get(0);
    assertThat(promo.key()).isEqualTo("message_type");
    assertThat(promo.value()).contains("promo");
    assertThat(promo.limit()).isEmpty();
    assertThat(promo.descriptors().get(0).limit().orElseThrow().window()).isEqualTo("1d");
    assertThat(promo.descriptors().get(0).limit().orElseThrow().requests()).isEqualTo(5);
  }

  @Test
  void inventsOneRequestDescriptorPerKeySequence() {
    // Example 2: (message_type, to_number) and (to_number), each read from the header of the same name.
    assertThat(Examples.policy("02-nested.yaml").requestDescriptors()).containsExactly(
        headers("message_type", "to_number"), headers("to_number"));
    // Example 3: both entries are remote_address, which is the client address, once.
    List<RequestDescriptor> perIp = Examples.policy("03-most-specific.yaml").requestDescriptors();
    assertThat(perIp).hasSize(1);
    assertThat(perIp.get(0).entries().get(0).remoteAddress()).isPresent();
    // Example 7: two paths of different keys.
    assertThat(Examples.policy("07-replaces.yaml").requestDescriptors()).containsExactly(
        headers("key_1", "user"), headers("key_2", "user"));
  }

  @Test
  void aFixedGenericKeyIsSentAsSuch() {
    RateLimitPolicy policy = EnvoyRatelimitImporter.importFile("generic.yaml", """
        domain: api
        descriptors:
          - key: generic_key
            value: checkout
            rate_limit: {unit: minute, requests_per_unit: 10}
        """).policy();
    DescriptorEntry entry = policy.requestDescriptors().get(0).entries().get(0);
    assertThat(entry.genericKey()).hasValueSatisfying(g -> {
      assertThat(g.key()).isEqualTo("generic_key");
      assertThat(g.value()).isEqualTo("checkout");
    });
  }

  @Test
  void aDescriptorWithoutLimitOrChildrenBecomesUnlimitedWithAWarning() {
    Imported imported = EnvoyRatelimitImporter.importFile("whitelist.yaml", """
        domain: ips
        descriptors:
          - key: remote_address
            rate_limit: {unit: second, requests_per_unit: 10}
          - key: remote_address
            value: 10.0.0.1
        """);
    assertThat(imported.policy().descriptors().get(1).limit().orElseThrow().unlimited()).isTrue();
    assertThat(imported.warnings()).anyMatch(w -> w.contains("unlimited"));
  }

  @Test
  void valueToMetricIsAcceptedWithAWarning() {
    Path file = Examples.dir("envoy-ratelimit-unsupported").resolve("10-value-to-metric.yaml");
    Imported imported = EnvoyRatelimitImporter.importFile(file.toString(), Examples.text(file));
    assertThat(imported.warnings()).anyMatch(w -> w.contains("value_to_metric"));
    assertThat(imported.policy().requestDescriptors()).containsExactly(headers("route", "http_method", "subject_id"));
  }

  @Test
  void shareThresholdIsRefusedWithTheReason() {
    Path file = Examples.dir("envoy-ratelimit-unsupported").resolve("11-share-threshold.yaml");
    assertThatThrownBy(() -> EnvoyRatelimitImporter.importFile(file.toString(), Examples.text(file)))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining("share_threshold")
        .hasMessageContaining("11-share-threshold.yaml");
  }

  @Test
  void refusesWhatEnvoyproxyRatelimitRefusesAndReportsEveryProblem() {
    assertRefused("descriptors: []", "empty domain");
    assertRefused("domain: d\ndescriptors: [{key: a, rate_limit: {unit: fortnight, requests_per_unit: 1}}]", "invalid rate limit unit 'fortnight'");
    assertRefused("domain: d\ndescriptors: [{key: a, rate_limit: {unlimited: true, unit: second}}]", "should not specify rate limit unit when unlimited");
    assertRefused("domain: d\ndescriptors: [{key: a, rate_limit: {unit: second, requests_per_unit: 1}, colour: red}]", "unknown key 'colour'");
    assertRefused("domain: d\ndescriptors: [{key: a, value: b, rate_limit: {unit: second}}, {key: a, value: b, rate_limit: {unit: second}}]",
        "duplicate descriptor composite key 'a_b'");
    assertRefused("domain: d\ndescriptors: [{key: '', rate_limit: {unit: second}}]", "descriptor has empty key");
    assertRefused("domain: d\ndescriptors: [{key: a, rate_limit: {unit: second, name: n, replaces: [{name: n}]}}]",
        "replaces should not contain name of same descriptor");
    assertRefused("domain: d\ndescriptors: [{key: a, rate_limit: {unit: second, replaces: [{name: ''}]}}]", "empty replaces entry");
    assertRefused("domain: d\ndescriptors: [{key: a, rate_limit: {unit: week, requests_per_unit: 1}}]", "up to 1 day");
    assertRefused("domain: d\ndescriptors: [{key: a, quota_mode: true, rate_limit: {unit: second}}]", "quota_mode");
    assertRefused("domain: d\ndescriptors: [{key: a, rate_limit: {unit: second, requests_per_unit: -1}}]", "unsigned 32-bit");
    assertRefused("domain: d\ndescriptors: [a, b]", "list of type other than map");
    assertRefused("domain: [d", "not valid YAML");
    // Every problem at once, not one per attempt.
    assertThatThrownBy(() -> EnvoyRatelimitImporter.importFile("many.yaml",
        "domain: d\ndescriptors: [{key: a, rate_limit: {unit: x}}, {key: b, rate_limit: {unit: y}}]"))
        .hasMessageContaining("'x'").hasMessageContaining("'y'");
  }

  @Test
  void unitsIgnoreCaseAndAMissingRequestCountAllowsNone() {
    RateLimitPolicy policy = EnvoyRatelimitImporter.importFile("case.yaml",
        "domain: d\ndescriptors: [{key: a, rate_limit: {unit: MINUTE}}]").policy();
    assertThat(policy.descriptors().get(0).limit().orElseThrow().window()).isEqualTo("1m");
    assertThat(policy.descriptors().get(0).limit().orElseThrow().requests()).isZero();
  }

  @Test
  void namesPoliciesAfterTheirDomainsAndKeepsThemUnique(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), "domain: Mongo_CPS\ndescriptors: [{key: a, rate_limit: {unit: second, requests_per_unit: 1}}]");
    Files.writeString(dir.resolve("b.yml"), "domain: mongo.cps\ndescriptors: [{key: a, rate_limit: {unit: second, requests_per_unit: 1}}]");
    Files.writeString(dir.resolve(".hidden.yaml"), "not: read");
    Files.writeString(dir.resolve("notes.txt"), "not read either");
    List<Imported> imported = PolicyFiles.readAll(PolicyFiles.configFiles(dir));
    assertThat(imported).extracting(i -> i.policy().name()).containsExactly("mongo-cps", "mongo-cps-2");
  }

  @Test
  void aDomainMayAppearInOneFileOnly(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), "domain: d\ndescriptors: [{key: a, rate_limit: {unit: second, requests_per_unit: 1}}]");
    Files.writeString(dir.resolve("b.yaml"), "domain: d\ndescriptors: [{key: b, rate_limit: {unit: second, requests_per_unit: 1}}]");
    assertThatThrownBy(() -> PolicyFiles.readAll(PolicyFiles.configFiles(dir)))
        .hasMessageContaining("duplicate domain 'd'");
  }

  private static void assertRefused(String yaml, String message) {
    assertThatThrownBy(() -> EnvoyRatelimitImporter.importFile("test.yaml", yaml))
        .isInstanceOf(ImportException.class)
        .hasMessageContaining(message);
  }

  private static RequestDescriptor headers(String... keys) {
    return new RequestDescriptor(java.util.Arrays.stream(keys)
        .map(k -> new DescriptorEntry(null, java.util.Optional.of(new RateLimitPolicy.RequestHeader(k, k)), null, null))
        .toList());
  }
}
