package dev.embassy.auth.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimValuesTest {
  @Test
  void textForms() {
    assertThat(ClaimValues.text("alice")).hasValue("alice");
    assertThat(ClaimValues.text(42)).hasValue("42");
    assertThat(ClaimValues.text(1700000000123L)).hasValue("1700000000123");
    assertThat(ClaimValues.text(new BigInteger("123456789012345678901234567890"))).hasValue("123456789012345678901234567890");
    assertThat(ClaimValues.text(1.5)).hasValue("1.5");
    assertThat(ClaimValues.text(2.0)).hasValue("2");
    assertThat(ClaimValues.text(true)).hasValue("true");
    assertThat(ClaimValues.text(List.of("a", "b"))).hasValue("a b");
    assertThat(ClaimValues.text(List.of("a", Map.of()))).isEmpty();
    assertThat(ClaimValues.text(Map.of("a", 1))).isEmpty();
    assertThat(ClaimValues.text(null)).isEmpty();
  }

  @Test
  void lookupPrefersTopLevelNamesOverPaths() {
    Map<String, Object> claims = Map.of("a.b", "flat", "a", Map.of("b", "nested", "c", Map.of("d", 1)));
    assertThat(ClaimValues.lookup(claims, "a.b")).hasValue("flat");
    assertThat(ClaimValues.lookup(claims, "a.c.d")).hasValue(1);
    assertThat(ClaimValues.lookup(claims, "a.x")).isEmpty();
  }
}
