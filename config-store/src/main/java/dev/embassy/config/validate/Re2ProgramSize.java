package dev.embassy.config.validate;

import java.util.List;

/**
 * An upper bound of {@code RE2::ProgramSize()}, the number Envoy compares with the runtime value
 * {@code re2.max_program_size.error_level} (default 100) before accepting a regex.
 *
 * <p>RE2 simplifies the parsed regex (a counted repeat becomes that many copies, {@code x{n,m}}
 * nests m-n optional copies), compiles it to instructions (re2/compile.cc) and then flattens the
 * program (re2/prog.cc {@code Flatten}): flattening drops every Alt instruction and adds at most
 * one Nop per Alt branch that lands on the start of another instruction list. So a program holds:
 * the fail instruction, the match instruction, the unanchored {@code .*?} prefix (a byte range and
 * at most one Nop), one byte range per UTF-8 byte of every literal and character class piece,
 * two instructions per capture, one per empty-width assertion or empty match, and at most two per
 * {@code * + ?} or {@code |} branch point. This counts each of them without RE2's savings
 * (shared UTF-8 suffixes, case-folded ASCII ranges, factored alternations, literal prefixes
 * stripped off an anchored regex), so it is never below the real size; the calibration test
 * (Re2ProgramSizeCalibrationIT in control-plane) measures how far above it is.
 */
final class Re2ProgramSize {
  /** Fail and match instructions, and the unanchored prefix's byte range and Nop. */
  private static final long FIXED = 4;
  /** A branch point's Alt becomes at most one Nop per branch when the program is flattened. */
  private static final long BRANCH = 2;
  /** Larger than any limit anyone configures; keeps the arithmetic far from overflow. */
  private static final long CAP = 1L << 40;

  private Re2ProgramSize() {}

  static long estimate(Re2Tree tree) {
    return Math.min(CAP, FIXED + size(tree));
  }

  private static long size(Re2Tree tree) {
    return switch (tree) {
      case Re2Tree.Literal literal -> utf8Length(literal.rune());
      case Re2Tree.CharClass cc -> classSize(cc.ranges());
      case Re2Tree.AnyByte any -> 1;
      case Re2Tree.EmptyWidth empty -> 1;
      case Re2Tree.Empty empty -> 1;
      case Re2Tree.Capture capture -> add(2, size(capture.sub()));
      case Re2Tree.Concat concat -> concat.subs().stream().mapToLong(Re2ProgramSize::size).reduce(0, Re2ProgramSize::add);
      case Re2Tree.Alternate alternate -> add(
          alternate.subs().stream().mapToLong(Re2ProgramSize::size).reduce(0, Re2ProgramSize::add),
          BRANCH * (alternate.subs().size() - 1));
      case Re2Tree.Repeat repeat -> repeatSize(repeat);
    };
  }

  /** As simplify.cc's SimplifyRepeat and the compiler's Star/Plus/Quest expand it. */
  private static long repeatSize(Re2Tree.Repeat repeat) {
    long sub = size(repeat.sub());
    int min = repeat.min();
    int max = repeat.max();
    if (emptyWidthOnly(repeat.sub())) {
      // RE2 caps a repeated assertion at one: ^{5} is ^, \b* is \b?.
      min = Math.min(min, 1);
      max = Math.min(max, 1);
    }
    // A star of something that can match empty is compiled as (x+)?: two branch points.
    long star = nullable(repeat.sub()) ? add(sub, 2 * BRANCH) : add(sub, BRANCH);
    if (max == -1) {
      if (min == 0) {
        return star;
      }
      return add(mul(min - 1, sub), add(sub, BRANCH));
    }
    if (min == 0 && max == 0) {
      return 1;
    }
    return add(mul(min, sub), mul(max - min, add(sub, BRANCH)));
  }

  private static boolean emptyWidthOnly(Re2Tree tree) {
    return switch (tree) {
      case Re2Tree.EmptyWidth e -> true;
      case Re2Tree.Concat c -> c.subs().stream().allMatch(s -> s instanceof Re2Tree.EmptyWidth);
      case Re2Tree.Alternate a -> a.subs().stream().allMatch(s -> s instanceof Re2Tree.EmptyWidth);
      default -> false;
    };
  }

  static boolean nullable(Re2Tree tree) {
    return switch (tree) {
      case Re2Tree.Literal l -> false;
      case Re2Tree.CharClass c -> false;
      case Re2Tree.AnyByte a -> false;
      case Re2Tree.EmptyWidth e -> true;
      case Re2Tree.Empty e -> true;
      case Re2Tree.Capture c -> nullable(c.sub());
      case Re2Tree.Concat c -> c.subs().stream().allMatch(Re2ProgramSize::nullable);
      case Re2Tree.Alternate a -> a.subs().stream().anyMatch(Re2ProgramSize::nullable);
      case Re2Tree.Repeat r -> r.min() == 0 || nullable(r.sub());
    };
  }

  /**
   * The byte-range instructions of a class: RE2 splits each rune range into pieces whose UTF-8
   * forms have the same length and shared leading bytes (compile.cc AddRuneRangeUTF8), one
   * instruction per byte of a piece. A class of everything is RE2's any-char (7 instructions);
   * one ASCII letter in both cases is a single case-folding instruction.
   */
  private static long classSize(List<Re2Tree.Range> ranges) {
    if (ranges.size() == 1 && ranges.getFirst().lo() == 0 && ranges.getFirst().hi() == Re2RuneSet.MAX_RUNE) {
      return 7;
    }
    if (ranges.size() == 2 && ranges.get(0).lo() == ranges.get(0).hi() && ranges.get(1).lo() == ranges.get(1).hi()
        && ranges.get(0).lo() >= 'A' && ranges.get(0).lo() <= 'Z' && ranges.get(1).lo() == ranges.get(0).lo() + 'a' - 'A') {
      return 1;
    }
    long total = 0;
    for (Re2Tree.Range range : ranges) {
      total = add(total, rangeSize(range.lo(), range.hi()));
    }
    return total;
  }

  private static long rangeSize(int lo, int hi) {
    if (lo > hi) {
      return 0;
    }
    if (lo == 0x80 && hi == 0x10FFFF) {
      return 6; // Add_80_10ffff: three lead-byte ranges and three continuation ranges.
    }
    for (int i = 1; i < 4; i++) {
      int max = maxRune(i);
      if (lo <= max && max < hi) {
        return rangeSize(lo, max) + rangeSize(max + 1, hi);
      }
    }
    if (hi < 0x80) {
      return 1;
    }
    for (int i = 1; i < 4; i++) {
      int m = (1 << (6 * i)) - 1;
      if ((lo & ~m) != (hi & ~m)) {
        if ((lo & m) != 0) {
          return rangeSize(lo, lo | m) + rangeSize((lo | m) + 1, hi);
        }
        if ((hi & m) != m) {
          return rangeSize(lo, (hi & ~m) - 1) + rangeSize(hi & ~m, hi);
        }
      }
    }
    return utf8Length(lo);
  }

  /** The largest rune whose UTF-8 form has {@code bytes} bytes. */
  private static int maxRune(int bytes) {
    int bits = bytes == 1 ? 7 : 8 - (bytes + 1) + 6 * (bytes - 1);
    return (1 << bits) - 1;
  }

  private static int utf8Length(int rune) {
    return rune < 0x80 ? 1 : rune < 0x800 ? 2 : rune < 0x10000 ? 3 : 4;
  }

  private static long add(long a, long b) {
    return Math.min(CAP, a + b);
  }

  private static long mul(long a, long b) {
    return a == 0 || b == 0 ? 0 : (a > CAP / b ? CAP : Math.min(CAP, a * b));
  }
}
