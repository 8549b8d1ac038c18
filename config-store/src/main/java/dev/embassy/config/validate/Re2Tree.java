package dev.embassy.config.validate;

import java.util.List;

/**
 * A regex as RE2 parses it, reduced to what decides whether Envoy accepts it: the nesting of
 * counted repetitions and the instructions each part compiles to. Case folding and negation are
 * already applied, so a character class holds exactly the runes it matches.
 */
sealed interface Re2Tree {
  /** One rune, matched as its UTF-8 bytes. */
  record Literal(int rune) implements Re2Tree {}

  /** A set of runes as sorted, disjoint, non-adjacent inclusive ranges. */
  record CharClass(List<Range> ranges) implements Re2Tree {
    public CharClass {
      ranges = List.copyOf(ranges);
    }
  }

  record Range(int lo, int hi) {}

  /** {@code \C}: any single byte. */
  record AnyByte() implements Re2Tree {}

  /** {@code ^ $ \A \z \b \B}: one empty-width assertion. */
  record EmptyWidth() implements Re2Tree {}

  /** Matches the empty string: an empty group, an empty alternative, {@code x{0}}. */
  record Empty() implements Re2Tree {}

  record Capture(Re2Tree sub) implements Re2Tree {}

  record Concat(List<Re2Tree> subs) implements Re2Tree {
    public Concat {
      subs = List.copyOf(subs);
    }
  }

  record Alternate(List<Re2Tree> subs) implements Re2Tree {
    public Alternate {
      subs = List.copyOf(subs);
    }
  }

  /**
   * {@code * + ?} ({@code counted} false) or {@code {n}, {n,}, {n,m}} ({@code counted} true);
   * {@code max} is -1 when unbounded. Only counted repetitions take part in RE2's limit on nested
   * repeat counts. {@code flags} are the parse flags in force (case folding, multi-line, dot-all,
   * non-greedy), which decide whether RE2 squashes a stacked {@code * + ?} into one star.
   */
  record Repeat(Re2Tree sub, int min, int max, boolean counted, int flags) implements Re2Tree {}
}
