package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The estimate against the sizes Envoy 1.38 printed for these regexes (warn level 0, as
 * Re2ProgramSizeCalibrationIT does): never below, and the estimate of today as the upper end, so
 * a change to the model that loosens it shows here.
 */
class Re2ProgramSizeTest {
  private static long estimate(String regex) {
    return Re2ProgramSize.estimate(Re2Parser.parse(regex));
  }

  @ParameterizedTest(name = "{0}: Envoy {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      /api/v[0-9]+/users/[^/]+         | 28    | 32
      "^/static/.*\\.(css|js|png)$"    | 23    | 37
      /[a-z]{2}-[A-Z]{2}/.*            | 19    | 22
      ^/orders/[0-9a-f-]{36}$          | 112   | 131
      abc                              | 7     | 10
      \\z                              | 4     | 8
      (?<n>a)                          | 7     | 10
      (?i)k                            | 8     | 11
      \\p{Greek}                       | 66    | 72
      \\pZ                             | 19    | 22
      (a{10}){100}                     | 1204  | 1267
      (a*){1000}                       | 3004  | 3157
      (a{0,2}){500}                    | 3004  | 3157
      x{,5}                            | 9     | 12
      [[:word:]]                       | 7     | 10
      (?:😀{1,})?                       | 12    | 15
      (?:😀+)?                          | 8     | 11
      (?:$?){1,}                       | 9     | 12
      \\Q.*\\E{0}                      | 5     | 8
      (?i)/Admin(/.*)?                 | 22    | 28
      """)
  void neverBelowEnvoysSize(String regex, long envoy, long atMost) {
    assertThat(estimate(regex)).as(regex).isBetween(envoy, atMost);
  }
}
