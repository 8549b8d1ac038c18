package dev.embassy.config.validate;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses a regex that re2j has already accepted into the {@link Re2Tree} RE2 would build, with
 * the options Envoy compiles with ({@code RE2::Quiet}: UTF-8, Perl syntax, {@code .} not
 * matching newline, {@code [^x]} matching it). re2j's grammar is RE2's, so this parser handles
 * the same syntax; it throws {@link IllegalArgumentException} for anything it does not know,
 * which the caller reports as a refusal rather than guessing.
 */
final class Re2Parser {
  private final String regex;
  private int pos;

  private Re2Parser(String regex) {
    this.regex = regex;
  }

  static Re2Tree parse(String regex) {
    Re2Parser parser = new Re2Parser(regex);
    Re2Tree tree = parser.alternation(new Flags(false, false, false, false));
    if (parser.pos != regex.length()) {
      throw new IllegalArgumentException("unexpected ')' at " + parser.pos);
    }
    return tree;
  }

  /**
   * {@code (?i)} folds case, {@code (?s)} lets dot match newline; {@code (?m)} and {@code (?U)}
   * change no instruction count but, like the others, keep RE2 from squashing stacked
   * repetitions written under different flags.
   */
  private record Flags(boolean foldCase, boolean multiLine, boolean dotNl, boolean ungreedy) {
    int bits(boolean nonGreedy) {
      return (foldCase ? 1 : 0) | (multiLine ? 2 : 0) | (dotNl ? 4 : 0) | (ungreedy != nonGreedy ? 8 : 0);
    }
  }

  /** A flag group without ':' changes the flags of the rest of its enclosing group. */
  private Flags flags;

  private Re2Tree alternation(Flags initial) {
    flags = initial;
    List<Re2Tree> alternatives = new ArrayList<>();
    alternatives.add(concatenation());
    while (pos < regex.length() && regex.charAt(pos) == '|') {
      pos++;
      alternatives.add(concatenation());
    }
    return alternatives.size() == 1 ? alternatives.getFirst() : new Re2Tree.Alternate(alternatives);
  }

  private Re2Tree concatenation() {
    List<Re2Tree> items = new ArrayList<>();
    while (pos < regex.length() && regex.charAt(pos) != '|' && regex.charAt(pos) != ')') {
      if (regex.startsWith("\\Q", pos)) {
        // RE2 pushes \Q...\E as separate literals, so a repetition after \E repeats the last one.
        List<Re2Tree> quoted = quoted();
        if (!quoted.isEmpty()) {
          items.addAll(quoted.subList(0, quoted.size() - 1));
          items.add(repetitions(quoted.getLast()));
          continue;
        }
      } else {
        Re2Tree atom = atom();
        if (atom != null) {
          items.add(repetitions(atom));
          continue;
        }
      }
      // A flag group or an empty \Q\E pushes nothing: a repetition after it repeats what came before.
      if (!items.isEmpty()) {
        items.add(repetitions(items.removeLast()));
      }
    }
    if (items.isEmpty()) {
      return new Re2Tree.Empty();
    }
    return items.size() == 1 ? items.getFirst() : new Re2Tree.Concat(items);
  }

  private Re2Tree repetitions(Re2Tree atom) {
    Re2Tree tree = atom;
    while (pos < regex.length()) {
      char c = regex.charAt(pos);
      int min;
      int max;
      boolean counted = false;
      if (c == '*') {
        min = 0;
        max = -1;
        pos++;
      } else if (c == '+') {
        min = 1;
        max = -1;
        pos++;
      } else if (c == '?') {
        min = 0;
        max = 1;
        pos++;
      } else if (c == '{') {
        int[] bounds = repetitionBounds();
        if (bounds == null) {
          return tree;
        }
        min = bounds[0];
        max = bounds[1];
        counted = true;
      } else {
        return tree;
      }
      boolean nonGreedy = false;
      if (pos < regex.length() && regex.charAt(pos) == '?') {
        pos++;
        nonGreedy = true;
      }
      int bits = flags.bits(nonGreedy);
      // parse.cc PushRepeatOp: * + ? applied to a * + ? node with the same flags is squashed,
      // into the same operator or else into a star.
      if (!counted && tree instanceof Re2Tree.Repeat r && !r.counted() && r.flags() == bits) {
        tree = r.min() == min && r.max() == max ? r : new Re2Tree.Repeat(r.sub(), 0, -1, false, bits);
        continue;
      }
      tree = new Re2Tree.Repeat(tree, min, max, counted, bits);
    }
    return tree;
  }

  /** {@code {n}, {n,}, {n,m}} at pos, consumed; null (nothing consumed) when '{' is a literal. */
  private int[] repetitionBounds() {
    int i = pos + 1;
    int start = i;
    while (i < regex.length() && Character.isDigit(regex.charAt(i)) && regex.charAt(i) < 0x80) {
      i++;
    }
    if (i == start || i - start > 8 || (i - start > 1 && regex.charAt(start) == '0')) {
      return null;
    }
    int min = Integer.parseInt(regex.substring(start, i));
    int max = min;
    if (i < regex.length() && regex.charAt(i) == ',') {
      i++;
      int maxStart = i;
      while (i < regex.length() && Character.isDigit(regex.charAt(i)) && regex.charAt(i) < 0x80) {
        i++;
      }
      if (i == maxStart) {
        max = -1;
      } else if (i - maxStart > 8 || (i - maxStart > 1 && regex.charAt(maxStart) == '0')) {
        return null;
      } else {
        max = Integer.parseInt(regex.substring(maxStart, i));
      }
    }
    if (i >= regex.length() || regex.charAt(i) != '}') {
      return null;
    }
    pos = i + 1;
    return new int[] {min, max};
  }

  /** At "\\Q": the literals up to "\\E" or the end, consumed. */
  private List<Re2Tree> quoted() {
    pos += 2;
    int end = regex.indexOf("\\E", pos);
    String text = regex.substring(pos, end < 0 ? regex.length() : end);
    pos = end < 0 ? regex.length() : end + 2;
    List<Re2Tree> runes = new ArrayList<>();
    text.codePoints().forEach(r -> runes.add(literal(r)));
    return runes;
  }

  /** One atom at pos, or null after a flag group that only changed the flags. */
  private Re2Tree atom() {
    int c = regex.codePointAt(pos);
    switch (c) {
      case '(' -> {
        return group();
      }
      case '[' -> {
        pos++;
        return charClass();
      }
      case '.' -> {
        pos++;
        Re2RuneSet dot = Re2RuneSet.of(0, Re2RuneSet.MAX_RUNE);
        if (!flags.dotNl()) {
          dot = Re2RuneSet.of('\n', '\n').negated();
        }
        return classOf(dot);
      }
      case '^', '$' -> {
        pos++;
        return new Re2Tree.EmptyWidth();
      }
      case '\\' -> {
        return escape();
      }
      default -> {
        pos += Character.charCount(c);
        return literal(c);
      }
    }
  }

  private Re2Tree group() {
    pos++;
    Flags outer = flags;
    boolean capture = true;
    if (regex.startsWith("?P<", pos) || (regex.startsWith("?<", pos) && !regex.startsWith("?<=", pos) && !regex.startsWith("?<!", pos))) {
      int close = regex.indexOf('>', pos);
      if (close < 0) {
        throw new IllegalArgumentException("unterminated group name");
      }
      pos = close + 1;
    } else if (regex.startsWith("?", pos)) {
      pos++;
      boolean negate = false;
      Flags changed = flags;
      while (pos < regex.length()) {
        char f = regex.charAt(pos++);
        switch (f) {
          case 'i' -> changed = new Flags(!negate, changed.multiLine(), changed.dotNl(), changed.ungreedy());
          case 'm' -> changed = new Flags(changed.foldCase(), !negate, changed.dotNl(), changed.ungreedy());
          case 's' -> changed = new Flags(changed.foldCase(), changed.multiLine(), !negate, changed.ungreedy());
          case 'U' -> changed = new Flags(changed.foldCase(), changed.multiLine(), changed.dotNl(), !negate);
          case '-' -> negate = true;
          case ')' -> {
            flags = changed;
            return null;
          }
          case ':' -> {
            capture = false;
            Re2Tree inner = alternation(changed);
            expect(')');
            flags = outer;
            return inner;
          }
          default -> throw new IllegalArgumentException("unknown group syntax (?" + f);
        }
      }
      throw new IllegalArgumentException("unterminated flag group");
    }
    Re2Tree inner = alternation(outer);
    expect(')');
    flags = outer;
    return capture ? new Re2Tree.Capture(inner) : inner;
  }

  private void expect(char c) {
    if (pos >= regex.length() || regex.charAt(pos) != c) {
      throw new IllegalArgumentException("expected '" + c + "' at " + pos);
    }
    pos++;
  }

  private Re2Tree escape() {
    pos++;
    if (pos >= regex.length()) {
      throw new IllegalArgumentException("trailing backslash");
    }
    char c = regex.charAt(pos);
    switch (c) {
      case 'A', 'z', 'b', 'B' -> {
        pos++;
        return new Re2Tree.EmptyWidth();
      }
      case 'C' -> {
        pos++;
        return new Re2Tree.AnyByte();
      }
      default -> {
        Re2RuneSet set = classEscape();
        if (set != null) {
          return classOf(set);
        }
        return literal(singleRuneEscape());
      }
    }
  }

  /**
   * A class escape at pos ({@code \d \D \s \S \w \W \pX \p{..} \PX \P{..}}), consumed, with the
   * current folding applied; null (nothing consumed) if pos is not one.
   */
  private Re2RuneSet classEscape() {
    char c = regex.charAt(pos);
    Re2RuneSet set;
    boolean negate;
    switch (c) {
      case 'd', 's', 'w', 'D', 'S', 'W' -> {
        pos++;
        set = Re2RuneSet.perl(Character.toLowerCase(c));
        negate = Character.isUpperCase(c);
      }
      case 'p', 'P' -> {
        pos++;
        negate = c == 'P';
        String name;
        if (regex.startsWith("{", pos)) {
          int close = regex.indexOf('}', pos);
          name = regex.substring(pos + 1, close);
          pos = close + 1;
        } else {
          int r = regex.codePointAt(pos);
          name = new String(Character.toChars(r));
          pos += Character.charCount(r);
        }
        if (name.startsWith("^")) {
          negate = !negate;
          name = name.substring(1);
        }
        String unicodeName = name;
        set = Re2RuneSet.unicode(name).orElseThrow(() -> new IllegalArgumentException("Unicode class \\p{" + unicodeName + "} unknown to the JDK"));
      }
      default -> {
        return null;
      }
    }
    // RE2 folds the positive class first and negates afterwards (parse.cc AddUGroup).
    if (flags.foldCase()) {
      set = set.folded();
    }
    return negate ? set.negated() : set;
  }

  /** An escape that stands for one rune (octal, hex, control letters, escaped punctuation). */
  private int singleRuneEscape() {
    char c = regex.charAt(pos++);
    switch (c) {
      case 'a' -> { return 7; }
      case 'f' -> { return '\f'; }
      case 't' -> { return '\t'; }
      case 'n' -> { return '\n'; }
      case 'r' -> { return '\r'; }
      case 'v' -> { return 0x0B; }
      case 'x' -> {
        if (regex.startsWith("{", pos)) {
          int close = regex.indexOf('}', pos);
          int r = Integer.parseInt(regex.substring(pos + 1, close), 16);
          pos = close + 1;
          return r;
        }
        int r = Integer.parseInt(regex.substring(pos, pos + 2), 16);
        pos += 2;
        return r;
      }
      default -> {
        if (c >= '0' && c <= '7') {
          int value = c - '0';
          for (int i = 0; i < 2 && pos < regex.length() && regex.charAt(pos) >= '0' && regex.charAt(pos) <= '7'; i++) {
            value = value * 8 + (regex.charAt(pos++) - '0');
          }
          return value;
        }
        if (c < 0x80 && !Character.isLetterOrDigit(c)) {
          return c;
        }
        throw new IllegalArgumentException("unknown escape \\" + c);
      }
    }
  }

  /** After '[': the class up to and including ']'. */
  private Re2Tree charClass() {
    boolean negate = false;
    if (regex.startsWith("^", pos)) {
      negate = true;
      pos++;
    }
    Re2RuneSet set = new Re2RuneSet();
    boolean first = true;
    while (pos < regex.length() && (first || regex.charAt(pos) != ']')) {
      first = false;
      if (regex.startsWith("[:", pos)) {
        int close = regex.indexOf(":]", pos + 2);
        if (close > 0) {
          String name = regex.substring(pos + 2, close);
          boolean negatePosix = name.startsWith("^");
          var posix = Re2RuneSet.posix(negatePosix ? name.substring(1) : name);
          if (posix.isPresent()) {
            pos = close + 2;
            Re2RuneSet member = flags.foldCase() ? posix.get().folded() : posix.get();
            set.addAll(negatePosix ? member.negated() : member);
            continue;
          }
        }
      }
      if (regex.charAt(pos) == '\\') {
        pos++;
        Re2RuneSet escaped = classEscape();
        if (escaped != null) {
          set.addAll(escaped);
          continue;
        }
        pos--;
      }
      int lo = classRune();
      int hi = lo;
      if (regex.startsWith("-", pos) && pos + 1 < regex.length() && regex.charAt(pos + 1) != ']') {
        pos++;
        hi = classRune();
      }
      Re2RuneSet range = Re2RuneSet.of(lo, hi);
      set.addAll(flags.foldCase() ? range.folded() : range);
    }
    expect(']');
    return classOf(negate ? set.negated() : set);
  }

  private int classRune() {
    if (regex.charAt(pos) == '\\') {
      pos++;
      return singleRuneEscape();
    }
    int r = regex.codePointAt(pos);
    pos += Character.charCount(r);
    return r;
  }

  /** A literal rune; with (?i) and a rune that has case variants, the class of its orbit. */
  private Re2Tree literal(int rune) {
    if (flags.foldCase()) {
      int[] orbit = Re2RuneSet.orbit(rune);
      if (orbit.length > 1) {
        Re2RuneSet set = new Re2RuneSet();
        for (int r : orbit) {
          set.add(r, r);
        }
        return classOf(set);
      }
    }
    return new Re2Tree.Literal(rune);
  }

  private static Re2Tree classOf(Re2RuneSet set) {
    return new Re2Tree.CharClass(set.ranges());
  }
}
