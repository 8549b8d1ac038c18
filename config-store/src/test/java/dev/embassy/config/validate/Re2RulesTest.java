package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The RE2 rules re2j lacks; each refused example was NACKed by Envoy 1.38 with the reason quoted. */
class Re2RulesTest {
  @Test
  void nestedRepeatsMultiply() {
    // Envoy: "invalid repetition size: {1000}" (issue 13).
    assertThat(Re2Rules.refusal("/(a{1000}){1000}")).hasValue(
        "repetition count 1000000 exceeds RE2's limit of 1000 (nested repeats multiply)");
    // Envoy: "invalid repetition size: {101}" and "{251}": the product, not each count, is limited.
    assertThat(Re2Rules.refusal("(a{10}){101}")).get().asString().startsWith("repetition count 1010 ");
    assertThat(Re2Rules.refusal("((a{2}){2}){251}")).get().asString().startsWith("repetition count 1004 ");
    assertThat(Re2Rules.refusal("(a{2,}){501}")).get().asString().startsWith("repetition count 1002 ");
  }

  @Test
  void productsUpToTheLimitPassTheRepeatRuleAndMeetTheSizeRule() {
    assertThat(Re2Rules.nestedRepeat(Re2Parser.parse("(a{10}){100}"))).isEqualTo(1000);
    assertThat(Re2Rules.nestedRepeat(Re2Parser.parse("(a*){1000}"))).isEqualTo(1000);
    assertThat(Re2Rules.nestedRepeat(Re2Parser.parse("(a{0}){7}b{3}"))).isEqualTo(7);
    // Envoy accepts the repetition but its program has 1204 instructions.
    assertThat(Re2Rules.refusal("(a{10}){100}")).get().asString()
        .startsWith("RE2 program size is about ").endsWith("over Envoy's limit of 100 (re2.max_program_size.error_level); simplify the regex");
  }

  @Test
  void aHugeProgramIsNotGivenAnExactSize() {
    assertThat(Re2Rules.refusal("(?:\\pL{30}){30}")).get().asString().startsWith("RE2 program size is over 100000, over Envoy's limit");
  }

  @Test
  void aLongCountedClassIsTooLargeForEnvoy() {
    // Envoy: "RE2 program size of 112 > max program size of 100" (a UUID spelled as one class).
    assertThat(Re2Rules.refusal("^/orders/[0-9a-f-]{36}$")).get().asString().startsWith("RE2 program size is about ");
  }

  @Test
  void singleCountsOver1000AreRefusedByTheSyntaxCheck() {
    assertThat(Re2Rules.refusal("a{1001}")).get().asString().startsWith("is not a valid RE2 regular expression");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/api/v[0-9]+/users/[^/]+", "^/static/.*\\.(css|js|png)$", "/[a-z]{2}-[A-Z]{2}/.*", "^/orders/[0-9a-f-]{8}$",
      "(?i)/Admin(/.*)?", "\\Q/a.b\\E", "\\pZ", "\\p{Greek}", "[[:alpha:]_][[:word:]]*", "x{,5}", "a{2}{", "(?<id>[0-9]+)",
      "(?s).*", "\\x{1F600}", "\\0101", "[\\d-z]", "[]a]", "[a-]", "^$", "\\b\\B\\A\\z", "(?U)a*?b+"})
  void ordinaryRegexesAreAccepted(String regex) {
    assertThat(Re2Rules.refusal(regex)).as(regex).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"(a)\\1", "(?=a)", "(?<=a)b", "a*+", "a**", "(?P=n)", "\\Z", "\\8", "(?x)a", "[z-a]", "(", "\\pL+\\pN+"})
  void whatRe2RefusesIsRefused(String regex) {
    assertThat(Re2Rules.refusal(regex)).as(regex).isPresent();
  }

  @Test
  void refusesWhatOnlyRe2jRefusesAndTheEstimatesSlack() {
    // RE2 accepts \C, non-ASCII and duplicate group names, re2j does not; refused here (docs/validation.md).
    assertThat(Re2Rules.refusal("\\C")).isPresent();
    assertThat(Re2Rules.refusal("(?P<ñ>a)")).isPresent();
    assertThat(Re2Rules.refusal("(?P<n>a)|(?P<n>b)")).isPresent();
    // The estimate keeps a margin over RE2's size: x{93} is 97 instructions in Envoy, estimated at 104.
    assertThat(Re2Rules.refusal("x{93}")).get().asString().startsWith("RE2 program size is about 104,");
  }

  @Test
  void anUnpairedSurrogateIsRefused() {
    assertThat(Re2Rules.refusal("a\uD800")).get().asString().contains("surrogate");
  }
}
