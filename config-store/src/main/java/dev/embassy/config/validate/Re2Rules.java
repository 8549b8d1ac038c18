package dev.embassy.config.validate;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Optional;

/**
 * Whether Envoy's RE2 accepts a regex, decided without Envoy. re2j (a Java port of RE2's
 * grammar) checks the syntax; it accepts more than RE2 does, so two RE2 rules are applied on top
 * (issue 13: {@code /(a{1000}){1000}} passed re2j and Envoy NACKed it):
 * <ul>
 *   <li>RE2's parser refuses nested counted repetitions whose counts multiply past 1000
 *       (re2/parse.cc RepetitionWalker), "invalid repetition size";
 *   <li>Envoy refuses a regex whose compiled program is larger than
 *       {@code re2.max_program_size.error_level} (100 unless the operator raises it), measured
 *       here by {@link Re2ProgramSize}'s upper bound.
 * </ul>
 * Where re2j is stricter than RE2 (non-ASCII or duplicate group names, {@code \C}) the regex is refused; that
 * and the estimate's slack are the documented differences (docs/validation.md).
 */
final class Re2Rules {
  /** RE2's maximum_repeat_count: the limit on one count and on nested counts multiplied. */
  static final int MAX_REPEAT = 1000;
  /** Envoy's default for re2.max_program_size.error_level; Embassy does not raise it. */
  static final long MAX_PROGRAM_SIZE = 100;

  private Re2Rules() {}

  /** Why RE2 in Envoy would refuse the regex, or empty when it accepts it. */
  static Optional<String> refusal(String regex) {
    try {
      Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      return Optional.of("is not a valid RE2 regular expression: " + e.getDescription());
    }
    if (!wellFormedUtf16(regex)) {
      return Optional.of("contains an unpaired UTF-16 surrogate, which is not valid UTF-8 for RE2");
    }
    Re2Tree tree;
    try {
      tree = Re2Parser.parse(regex);
    } catch (RuntimeException e) {
      // re2j accepted it, so this is syntax Embassy's RE2 model does not cover: refuse rather
      // than guess what Envoy would do.
      return Optional.of("uses RE2 syntax Embassy cannot check against Envoy's limits (" + e.getMessage() + ")");
    }
    long repeat = nestedRepeat(tree);
    if (repeat > MAX_REPEAT) {
      return Optional.of("repetition count " + repeat + " exceeds RE2's limit of " + MAX_REPEAT + " (nested repeats multiply)");
    }
    long size = Re2ProgramSize.estimate(tree);
    if (size > MAX_PROGRAM_SIZE) {
      String about = size >= Re2ProgramSize.CAP ? "over " + Re2ProgramSize.CAP : "about " + size;
      return Optional.of("RE2 program size is " + about + ", over Envoy's limit of " + MAX_PROGRAM_SIZE
          + " (re2.max_program_size.error_level); simplify the regex");
    }
    return Optional.empty();
  }

  /**
   * The largest product of counted repetitions along one path of the tree. A count is the
   * maximum, or the minimum when unbounded; {0} counts as 1, as in RE2. Star, plus and question
   * mark do not count.
   */
  static long nestedRepeat(Re2Tree tree) {
    return switch (tree) {
      case Re2Tree.Repeat r -> {
        int count = r.counted() ? (r.max() >= 0 ? r.max() : r.min()) : 1;
        yield Math.max(1, count) * Math.min(nestedRepeat(r.sub()), Integer.MAX_VALUE);
      }
      case Re2Tree.Capture c -> nestedRepeat(c.sub());
      case Re2Tree.Concat c -> c.subs().stream().mapToLong(Re2Rules::nestedRepeat).max().orElse(1);
      case Re2Tree.Alternate a -> a.subs().stream().mapToLong(Re2Rules::nestedRepeat).max().orElse(1);
      default -> 1;
    };
  }

  private static boolean wellFormedUtf16(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
