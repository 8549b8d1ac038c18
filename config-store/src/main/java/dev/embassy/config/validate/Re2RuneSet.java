package dev.embassy.config.validate;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runes a character class matches, built the way RE2's parser builds them: Perl ({@code \d})
 * and POSIX ({@code [:alpha:]}) classes are ASCII, Unicode classes ({@code \pL}, {@code \p{Greek}})
 * come from the JDK's Unicode tables (RE2 carries its own copy; the two differ only where the
 * Unicode versions differ), and case folding adds every rune of a rune's folding orbit, as RE2's
 * {@code AddFoldedRange} does ({@code k} folds to {@code K} and the Kelvin sign U+212A).
 */
final class Re2RuneSet {
  static final int MAX_RUNE = 0x10FFFF;
  private static final Map<String, BitSet> UNICODE = new ConcurrentHashMap<>();
  /** Runes whose folding orbit has more than one member, mapped to that orbit. */
  private static volatile Map<Integer, int[]> orbits;

  private final BitSet runes = new BitSet(MAX_RUNE + 1);

  void add(int lo, int hi) {
    runes.set(lo, hi + 1);
  }

  void addAll(Re2RuneSet other) {
    runes.or(other.runes);
  }

  boolean isEmpty() {
    return runes.isEmpty();
  }

  Re2RuneSet negated() {
    Re2RuneSet result = new Re2RuneSet();
    result.runes.set(0, MAX_RUNE + 1);
    result.runes.andNot(runes);
    return result;
  }

  /** Adds the folding orbit of every rune in the set. */
  Re2RuneSet folded() {
    Re2RuneSet result = new Re2RuneSet();
    result.runes.or(runes);
    for (Map.Entry<Integer, int[]> e : orbits().entrySet()) {
      if (runes.get(e.getKey())) {
        for (int r : e.getValue()) {
          result.runes.set(r);
        }
      }
    }
    return result;
  }

  List<Re2Tree.Range> ranges() {
    List<Re2Tree.Range> ranges = new ArrayList<>();
    for (int lo = runes.nextSetBit(0); lo >= 0; lo = runes.nextSetBit(lo)) {
      int end = runes.nextClearBit(lo);
      ranges.add(new Re2Tree.Range(lo, end - 1));
      lo = end;
    }
    return ranges;
  }

  /** The other runes RE2 treats as the same letter when case-insensitive, the rune itself included. */
  static int[] orbit(int rune) {
    int[] orbit = orbits().get(rune);
    return orbit == null ? new int[] {rune} : orbit;
  }

  static Re2RuneSet of(int lo, int hi) {
    Re2RuneSet set = new Re2RuneSet();
    set.add(lo, hi);
    return set;
  }

  /** {@code \d \s \w} (lower case letter), as RE2 defines them: ASCII only. */
  static Re2RuneSet perl(char letter) {
    Re2RuneSet set = new Re2RuneSet();
    switch (letter) {
      case 'd' -> set.add('0', '9');
      case 's' -> {
        set.add('\t', '\n');
        set.add('\f', '\r');
        set.add(' ', ' ');
      }
      case 'w' -> {
        set.add('0', '9');
        set.add('A', 'Z');
        set.add('a', 'z');
        set.add('_', '_');
      }
      default -> throw new IllegalArgumentException("no Perl class \\" + letter);
    }
    return set;
  }

  /** {@code [:name:]}; empty when RE2 has no such class. */
  static Optional<Re2RuneSet> posix(String name) {
    Re2RuneSet set = new Re2RuneSet();
    switch (name) {
      case "alnum" -> { set.add('0', '9'); set.add('A', 'Z'); set.add('a', 'z'); }
      case "alpha" -> { set.add('A', 'Z'); set.add('a', 'z'); }
      case "ascii" -> set.add(0, 0x7F);
      case "blank" -> { set.add('\t', '\t'); set.add(' ', ' '); }
      case "cntrl" -> { set.add(0, 0x1F); set.add(0x7F, 0x7F); }
      case "digit" -> set.add('0', '9');
      case "graph" -> set.add('!', '~');
      case "lower" -> set.add('a', 'z');
      case "print" -> set.add(' ', '~');
      case "punct" -> { set.add('!', '/'); set.add(':', '@'); set.add('[', '`'); set.add('{', '~'); }
      case "space" -> { set.add('\t', '\r'); set.add(' ', ' '); }
      case "upper" -> set.add('A', 'Z');
      case "word" -> { set.add('0', '9'); set.add('A', 'Z'); set.add('a', 'z'); set.add('_', '_'); }
      case "xdigit" -> { set.add('0', '9'); set.add('A', 'F'); set.add('a', 'f'); }
      default -> { return Optional.empty(); }
    }
    return Optional.of(set);
  }

  /**
   * {@code \p{name}}: "Any", a general category (one or two letters) or a script; empty when the
   * JDK does not know the name.
   */
  static Optional<Re2RuneSet> unicode(String name) {
    BitSet table = UNICODE.computeIfAbsent(name, Re2RuneSet::unicodeTable);
    if (table.isEmpty()) {
      return Optional.empty();
    }
    Re2RuneSet set = new Re2RuneSet();
    set.runes.or(table);
    return Optional.of(set);
  }

  private static BitSet unicodeTable(String name) {
    BitSet table = new BitSet(MAX_RUNE + 1);
    if (name.equals("Any")) {
      table.set(0, MAX_RUNE + 1);
      return table;
    }
    Character.UnicodeScript script = null;
    if (name.length() > 2) {
      try {
        script = Character.UnicodeScript.forName(name);
      } catch (IllegalArgumentException e) {
        return table;
      }
    }
    for (int r = 0; r <= MAX_RUNE; r++) {
      boolean member = script != null ? Character.UnicodeScript.of(r) == script : category(Character.getType(r)).startsWith(name);
      if (member) {
        table.set(r);
      }
    }
    return table;
  }

  /** The two-letter name of a JDK general category; "Cn" (unassigned) is in no RE2 class. */
  private static String category(int type) {
    return switch (type) {
      case Character.UPPERCASE_LETTER -> "Lu";
      case Character.LOWERCASE_LETTER -> "Ll";
      case Character.TITLECASE_LETTER -> "Lt";
      case Character.MODIFIER_LETTER -> "Lm";
      case Character.OTHER_LETTER -> "Lo";
      case Character.NON_SPACING_MARK -> "Mn";
      case Character.ENCLOSING_MARK -> "Me";
      case Character.COMBINING_SPACING_MARK -> "Mc";
      case Character.DECIMAL_DIGIT_NUMBER -> "Nd";
      case Character.LETTER_NUMBER -> "Nl";
      case Character.OTHER_NUMBER -> "No";
      case Character.SPACE_SEPARATOR -> "Zs";
      case Character.LINE_SEPARATOR -> "Zl";
      case Character.PARAGRAPH_SEPARATOR -> "Zp";
      case Character.CONTROL -> "Cc";
      case Character.FORMAT -> "Cf";
      case Character.PRIVATE_USE -> "Co";
      case Character.SURROGATE -> "Cs";
      case Character.DASH_PUNCTUATION -> "Pd";
      case Character.START_PUNCTUATION -> "Ps";
      case Character.END_PUNCTUATION -> "Pe";
      case Character.CONNECTOR_PUNCTUATION -> "Pc";
      case Character.OTHER_PUNCTUATION -> "Po";
      case Character.MATH_SYMBOL -> "Sm";
      case Character.CURRENCY_SYMBOL -> "Sc";
      case Character.MODIFIER_SYMBOL -> "Sk";
      case Character.OTHER_SYMBOL -> "So";
      case Character.INITIAL_QUOTE_PUNCTUATION -> "Pi";
      case Character.FINAL_QUOTE_PUNCTUATION -> "Pf";
      default -> "--";
    };
  }

  /**
   * Groups runes by their simple case fold (upper case, then lower case), which yields the
   * orbits Unicode's CaseFolding.txt defines for nearly every rune; computed once.
   */
  private static Map<Integer, int[]> orbits() {
    Map<Integer, int[]> result = orbits;
    if (result != null) {
      return result;
    }
    Map<Integer, List<Integer>> byKey = new HashMap<>();
    for (int r = 0; r <= MAX_RUNE; r++) {
      int key = Character.toLowerCase(Character.toUpperCase(r));
      if (key != r || Character.toUpperCase(r) != r) {
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
      }
    }
    result = new HashMap<>();
    for (Map.Entry<Integer, List<Integer>> e : byKey.entrySet()) {
      List<Integer> members = new ArrayList<>(e.getValue());
      if (!members.contains(e.getKey())) {
        members.add(e.getKey());
      }
      if (members.size() > 1) {
        int[] orbit = members.stream().mapToInt(Integer::intValue).sorted().toArray();
        for (int r : orbit) {
          result.put(r, orbit);
        }
      }
    }
    orbits = result;
    return result;
  }
}
