package dev.embassy.ratelimit.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Matching with envoyproxy/ratelimit's semantics, on files that follow that project's documented
 * examples (README "Examples" 1 to 9).
 */
class DescriptorMatchingTest {

  @Test
  void example1MatchesKeyAndValue() {
    CompiledPolicy policy = Examples.compiled("01-values.yaml");
    assertThat(limit(policy, "database", "orders")).hasValueSatisfying(r -> {
      assertThat(r.requests()).isEqualTo(500);
      assertThat(r.windowMillis()).isEqualTo(1_000);
    });
    assertThat(limit(policy, "database", "default")).isPresent();
    assertThat(limit(policy, "database", "users")).as("an unlisted value with no key-only entry").isEmpty();
    assertThat(limit(policy, "schema", "orders")).isEmpty();
  }

  @Test
  void example2NestsUnderAValueAndMatchesAnyValueOfAKey() {
    CompiledPolicy policy = Examples.compiled("02-nested.yaml");
    assertThat(limit(policy, "message_type", "promo", "to_number", "2061111111")).hasValueSatisfying(r -> {
      assertThat(r.requests()).isEqualTo(5);
      assertThat(r.windowMillis()).isEqualTo(86_400_000);
    });
    assertThat(limit(policy, "to_number", "2061111111")).hasValueSatisfying(r -> assertThat(r.requests()).isEqualTo(100));
    assertThat(limit(policy, "message_type", "receipt", "to_number", "2061111111")).isEmpty();
    // Each phone number is its own counter.
    assertThat(match(policy, "to_number", "1").orElseThrow().counterPath())
        .isNotEqualTo(match(policy, "to_number", "2").orElseThrow().counterPath());
  }

  @Test
  void example3PrefersTheValueOverTheKeyAlone() {
    CompiledPolicy policy = Examples.compiled("03-most-specific.yaml");
    assertThat(limit(policy, "remote_address", "198.51.100.7")).hasValueSatisfying(r -> assertThat(r.requests()).isEqualTo(10));
    assertThat(limit(policy, "remote_address", "203.0.113.9")).hasValueSatisfying(r -> assertThat(r.requests()).isZero());
  }

  @Test
  void example4RequiresTheDescriptorLengthToMatchTheNestingDepth() {
    CompiledPolicy policy = Examples.compiled("04-depth.yaml");
    assertThat(limit(policy, "key", "value", "subkey", "subvalue")).hasValueSatisfying(r -> assertThat(r.requests()).isEqualTo(300));
    assertThat(limit(policy, "key", "value")).as("shorter than the limit's depth").isEmpty();
    assertThat(limit(policy, "key", "value", "subkey", "subvalue", "extra", "x")).as("longer than the tree").isEmpty();
    // The README's counter-example: a limit at depth 1 does not match a descriptor of two entries.
    CompiledPolicy shallow = PolicyCompiler.compile(EnvoyRatelimitImporter.importFile("shallow.yaml", """
        domain: example4
        descriptors:
          - key: key
            value: value
            rate_limit: {requests_per_unit: 300, unit: second}
        """).policy());
    assertThat(limit(shallow, "key", "value", "subkey", "subvalue")).isEmpty();
    assertThat(limit(shallow, "key", "value")).isPresent();
  }

  @Test
  void example5HasUnlimitedDescriptors() {
    CompiledPolicy policy = Examples.compiled("05-unlimited.yaml");
    assertThat(limit(policy, "ldap", "x")).hasValueSatisfying(r -> assertThat(r.unlimited()).isTrue());
    assertThat(limit(policy, "azure", "x")).hasValueSatisfying(r -> {
      assertThat(r.unlimited()).isFalse();
      assertThat(r.requests()).isEqualTo(100);
      assertThat(r.windowMillis()).isEqualTo(60_000);
    });
  }

  @Test
  void example6CarriesShadowModePerLimit() {
    CompiledPolicy policy = Examples.compiled("06-shadow.yaml");
    assertThat(limit(policy, "service", "auth", "user", "alice")).hasValueSatisfying(r -> assertThat(r.shadowMode()).isTrue());
    assertThat(limit(policy, "service", "auth", "user", "bob")).hasValueSatisfying(r -> assertThat(r.shadowMode()).isFalse());
    assertThat(limit(policy, "service", "auth", "user", "dave")).isEmpty();
  }

  @Test
  void example7CarriesNamesAndReplaces() {
    CompiledPolicy policy = Examples.compiled("07-replaces.yaml");
    assertThat(limit(policy, "key_1", "value_1", "user", "carol")).hasValueSatisfying(r -> assertThat(r.name()).contains("specific-limit"));
    assertThat(limit(policy, "key_2", "value_2", "user", "carol")).hasValueSatisfying(r -> assertThat(r.replaces()).containsExactly("specific-limit"));
  }

  @Test
  void example8DetailedMetricsUseTheRequestsValues() {
    CompiledPolicy policy = Examples.compiled("08-detailed-metric.yaml");
    assertThat(match(policy, "key1", "unlisted").orElseThrow().statKey()).isEqualTo("detailed.key1_unlisted");
    assertThat(match(policy, "key1", "value1").orElseThrow().statKey()).isEqualTo("detailed.key1_value1");
    assertThat(match(policy, "key1", "value1").orElseThrow().rule().requests()).isEqualTo(20);
    // Without detailed_metric an unlisted value rolls up into the key's stat.
    CompiledPolicy plain = Examples.compiled("02-nested.yaml");
    assertThat(match(plain, "to_number", "2061111111").orElseThrow().statKey()).isEqualTo("sms.to_number");
  }

  @Test
  void example9MatchesAValuePrefix() {
    CompiledPolicy policy = Examples.compiled("09-wildcard.yaml");
    assertThat(limit(policy, "key1", "value_1")).isPresent();
    assertThat(limit(policy, "key1", "value")).isPresent();
    assertThat(limit(policy, "key1", "valu")).isEmpty();
    assertThat(limit(policy, "key2", "value_1")).isEmpty();
    // The stat keeps the pattern; the counter is per value (no shared threshold).
    assertThat(match(policy, "key1", "value_1").orElseThrow().statKey()).isEqualTo("wild.key1_value*");
    assertThat(match(policy, "key1", "value_1").orElseThrow().counterPath())
        .isNotEqualTo(match(policy, "key1", "value_2").orElseThrow().counterPath());
  }

  @Test
  void exactValueBeatsWildcardWhichBeatsKeyAloneAndWildcardsAreTriedInOrder() {
    CompiledPolicy policy = PolicyCompiler.compile(EnvoyRatelimitImporter.importFile("order.yaml", """
        domain: order
        descriptors:
          - {key: path, rate_limit: {unit: second, requests_per_unit: 1}}
          - {key: path, value: /api/*, rate_limit: {unit: second, requests_per_unit: 2}}
          - {key: path, value: /api/v1/*, rate_limit: {unit: second, requests_per_unit: 3}}
          - {key: path, value: /api/v1/users, rate_limit: {unit: second, requests_per_unit: 4}}
        """).policy());
    assertThat(limit(policy, "path", "/api/v1/users").orElseThrow().requests()).isEqualTo(4);
    // The first wildcard written wins, as in envoyproxy/ratelimit, even if a later one is longer.
    assertThat(limit(policy, "path", "/api/v1/orders").orElseThrow().requests()).isEqualTo(2);
    assertThat(limit(policy, "path", "/static/x").orElseThrow().requests()).isEqualTo(1);
  }

  @Test
  void anEmptyValueIsAValue() {
    CompiledPolicy policy = Examples.compiled("02-nested.yaml");
    assertThat(limit(policy, "to_number", "")).isPresent();
  }

  @Test
  void counterPathsEscapeSeparators() {
    assertThat(DescriptorPath.of(List.of(new DescriptorEntry("a", "b|c=d")))).isEqualTo("a=b\\|c\\=d");
    assertThat(DescriptorPath.of(List.of(new DescriptorEntry("a", "b"), new DescriptorEntry("c", "d"))))
        .isNotEqualTo(DescriptorPath.of(List.of(new DescriptorEntry("a", "b|c=d"))));
  }

  private static Optional<LimitRule> limit(CompiledPolicy policy, String... keyValues) {
    return match(policy, keyValues).map(MatchedLimit::rule);
  }

  private static Optional<MatchedLimit> match(CompiledPolicy policy, String... keyValues) {
    List<DescriptorEntry> entries = new ArrayList<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      entries.add(new DescriptorEntry(keyValues[i], keyValues[i + 1]));
    }
    return policy.match(entries);
  }
}
