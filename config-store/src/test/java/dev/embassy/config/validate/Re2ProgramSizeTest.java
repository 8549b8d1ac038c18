package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The estimate against sizes Envoy 1.38 printed for these regexes (warn level 0, see
 * Re2ProgramSizeCalibrationIT): never below, and for ordinary paths close.
 */
class Re2ProgramSizeTest {
  private static long estimate(String regex) {
    return Re2ProgramSize.estimate(Re2Parser.parse(regex));
  }

  @ParameterizedTest(name = "{0}: Envoy {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      /api/v[0-9]+/users/[^/]+ | 28   | 31
      abc                      | 7    | 7
      \\z                      | 4    | 5
      \\C                      | 5    | 5
      (?<n>a)                  | 7    | 7
      (?i)k                    | 8    | 9
      \\p{Greek}               | 66   | 200
      \\pZ                     | 19   | 40
      (a{10}){100}             | 1204 | 3100
      (a*){1000}               | 3004 | 5100
      (a{0,2}){500}            | 3004 | 5100
      x{,5}                    | 9    | 9
      [[:word:]]               | 7    | 9
      """)
  void neverBelowEnvoysSize(String regex, long envoy, long atMost) {
    assertThat(estimate(regex)).as(regex).isBetween(envoy, atMost);
  }
}
