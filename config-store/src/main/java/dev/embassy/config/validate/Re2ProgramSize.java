package dev.embassy.config.validate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An upper bound of {@code RE2::ProgramSize()}, the number Envoy compares with the runtime value
 * {@code re2.max_program_size.error_level} (default 100) before accepting a regex.
 *
 * <p>It replays what RE2 does to a parsed regex: the simplifier's expansion of counted repeats
 * (re2/simplify.cc: {@code x{n,m}} is n copies and m-n nested optional ones), the compiler's
 * instruction graph (re2/compile.cc: byte ranges per UTF-8 piece with RE2's suffix cache and
 * lead-byte merging, an Alt per branch point, two captures per group, the unanchored {@code .*?}
 * prefix, Nop elision in concatenations), the optimiser's Nop skipping and the flattening into
 * instruction lists (re2/prog.cc {@code Flatten}), whose size is what Envoy reads. Where RE2
 * saves more than this model (anchors and literal prefixes stripped off an anchored regex,
 * factored alternations and coalesced repeats in the parser) the replay keeps the larger form;
 * the parser's alternation rewrites can also cost RE2 a few instructions more, which {@link
 * #margin} covers. Re2ProgramSizeCalibrationIT checks the result against Envoy and reports the
 * slack (docs/validation.md has the figures).
 */
final class Re2ProgramSize {
  /** Beyond any limit anyone configures; the replay stops here instead of growing further. */
  static final int CAP = 100_000;

  private static final int FAIL = 0;
  private static final int MATCH = 1;
  private static final int BYTES = 2;
  private static final int ALT = 3;
  private static final int NOP = 4;
  private static final int CAPTURE = 5;
  private static final int EMPTY = 6;

  private Re2ProgramSize() {}

  static long estimate(Re2Tree tree) {
    long replayed;
    try {
      replayed = new Program().size(tree);
    } catch (TooLarge e) {
      return CAP;
    }
    return replayed + margin(replayed);
  }

  /**
   * RE2's parser also rewrites alternations (common prefixes factored out, single characters
   * merged into classes, empty branches), which this replay does not model; on rare regexes with
   * empty branches and repeated groups that left the replay up to 4 instructions below Envoy's
   * count in 6,000 random regexes. 5% plus 2 covers that with room to spare.
   */
  static long margin(long replayed) {
    return (replayed + 19) / 20 + 2;
  }

  private static final class TooLarge extends RuntimeException {
    private static final long serialVersionUID = 1;

    TooLarge() {
      super(null, null, false, false);
    }
  }

  /** A compiled fragment: its first instruction and the dangling exits (inst << 1 | out1). */
  private record Frag(int begin, List<Integer> exits, boolean nullable) {
    static final Frag NO_MATCH = new Frag(0, List.of(), false);

    boolean noMatch() {
      return begin == 0;
    }
  }

  private static final class Program {
    private int[] op = new int[64];
    private int[] out = new int[64];
    private int[] out1 = new int[64];
    private int[] low = new int[64];
    private int[] high = new int[64];
    private int count;

    private int alloc(int opcode) {
      if (count >= CAP) {
        throw new TooLarge();
      }
      if (count == op.length) {
        op = java.util.Arrays.copyOf(op, count * 2);
        out = java.util.Arrays.copyOf(out, count * 2);
        out1 = java.util.Arrays.copyOf(out1, count * 2);
        low = java.util.Arrays.copyOf(low, count * 2);
        high = java.util.Arrays.copyOf(high, count * 2);
      }
      op[count] = opcode;
      return count++;
    }

    private void patch(List<Integer> exits, int target) {
      for (int exit : exits) {
        if ((exit & 1) == 0) {
          out[exit >> 1] = target;
        } else {
          out1[exit >> 1] = target;
        }
      }
    }

    private static List<Integer> join(List<Integer> a, List<Integer> b) {
      List<Integer> joined = new ArrayList<>(a);
      joined.addAll(b);
      return joined;
    }

    long size(Re2Tree tree) {
      alloc(FAIL);
      Frag all = compile(tree);
      Frag match = new Frag(alloc(MATCH), List.of(), false);
      all = cat(all, match);
      int start = all.begin();
      // The unanchored prefix, counted even when RE2 drops it for a regex anchored with ^.
      int loop = alloc(ALT);
      int any = alloc(BYTES);
      out[any] = loop;
      out1[loop] = any;
      out[loop] = all.begin();
      int startUnanchored = all.noMatch() ? 0 : loop;
      if (all.noMatch()) {
        return 1;
      }
      optimize(start);
      return flatten(start, startUnanchored);
    }

    private Frag compile(Re2Tree tree) {
      return switch (tree) {
        case Re2Tree.Literal literal -> literal(literal.rune());
        case Re2Tree.CharClass cc -> charClass(cc.ranges());
        case Re2Tree.AnyByte any -> bytes();
        case Re2Tree.EmptyWidth empty -> {
          int id = alloc(EMPTY);
          yield new Frag(id, List.of(id << 1), true);
        }
        case Re2Tree.Empty empty -> nop();
        case Re2Tree.Capture capture -> {
          Frag sub = compile(capture.sub());
          if (sub.noMatch()) {
            yield Frag.NO_MATCH;
          }
          int open = alloc(CAPTURE);
          int close = alloc(CAPTURE);
          out[open] = sub.begin();
          patch(sub.exits(), close);
          yield new Frag(open, List.of(close << 1), sub.nullable());
        }
        case Re2Tree.Concat concat -> {
          Frag f = compile(concat.subs().getFirst());
          for (int i = 1; i < concat.subs().size(); i++) {
            f = cat(f, compile(concat.subs().get(i)));
          }
          yield f;
        }
        case Re2Tree.Alternate alternate -> {
          Frag f = compile(alternate.subs().getFirst());
          for (int i = 1; i < alternate.subs().size(); i++) {
            f = alt(f, compile(alternate.subs().get(i)));
          }
          yield f;
        }
        case Re2Tree.Repeat repeat -> repeat(repeat);
      };
    }

    /** simplify.cc SimplifyRepeat for counted repeats; * + ? compile directly. */
    private Frag repeat(Re2Tree.Repeat repeat) {
      Re2Tree sub = repeat.sub();
      if (sub instanceof Re2Tree.Empty) {
        return nop();
      }
      int min = repeat.min();
      int max = repeat.max();
      if (repeat.counted() && emptyWidthOnly(sub)) {
        min = Math.min(min, 1);
        max = Math.min(max, 1);
      }
      if (!repeat.counted()) {
        // simplify.cc: a star of a star (plus of a plus, ...) with the same flags is the inner one.
        Integer op = op(repeat);
        if (op != null && op.equals(op(sub)) && ((Re2Tree.Repeat) sub).flags() == repeat.flags()) {
          return compile(sub);
        }
        Frag f = compile(sub);
        return max == 1 ? quest(f) : min == 0 ? star(f) : plus(f);
      }
      if (max == -1) {
        if (min == 0) {
          return starPlusOrQuest(STAR_OP, sub, repeat);
        }
        Frag f = null;
        for (int i = 0; i < min - 1; i++) {
          f = f == null ? compile(sub) : cat(f, compile(sub));
        }
        Frag plus = starPlusOrQuest(PLUS_OP, sub, repeat);
        return f == null ? plus : cat(f, plus);
      }
      if (min == 0 && max == 0) {
        return nop();
      }
      if (min == 1 && max == 1) {
        return compile(sub);
      }
      Frag f = null;
      for (int i = 0; i < min; i++) {
        f = f == null ? compile(sub) : cat(f, compile(sub));
      }
      if (max > min) {
        // (x(x(x)?)?)? is compiled inside out: the innermost optional copy first.
        Frag suffix = starPlusOrQuest(QUEST_OP, sub, repeat);
        for (int i = min + 1; i < max; i++) {
          suffix = quest(cat(compile(sub), suffix));
        }
        f = f == null ? suffix : cat(f, suffix);
      }
      return f;
    }

    private static final int STAR_OP = 0;
    private static final int PLUS_OP = 1;
    private static final int QUEST_OP = 2;

    /** The star, plus or question mark a repeat simplifies to, or null for anything else. */
    private static Integer op(Re2Tree tree) {
      if (!(tree instanceof Re2Tree.Repeat r)) {
        return null;
      }
      if (r.min() == 0 && r.max() == -1) {
        return STAR_OP;
      }
      if (r.min() == 1 && r.max() == -1) {
        return PLUS_OP;
      }
      return r.min() == 0 && r.max() == 1 ? QUEST_OP : null;
    }

    /**
     * regexp.cc StarPlusOrQuest, which the simplifier uses to expand counted repeats: over a
     * star, plus or question mark with the same flags it returns that one (same operator) or a
     * star of its operand.
     */
    private Frag starPlusOrQuest(int op, Re2Tree sub, Re2Tree.Repeat repeat) {
      Integer inner = op(sub);
      if (inner != null && ((Re2Tree.Repeat) sub).flags() == repeat.flags()) {
        if (inner == op || inner == STAR_OP) {
          return compile(sub);
        }
        return star(compile(((Re2Tree.Repeat) sub).sub()));
      }
      Frag f = compile(sub);
      return switch (op) {
        case STAR_OP -> star(f);
        case PLUS_OP -> plus(f);
        default -> quest(f);
      };
    }

    private static boolean emptyWidthOnly(Re2Tree tree) {
      return switch (tree) {
        case Re2Tree.EmptyWidth e -> true;
        case Re2Tree.Concat c -> c.subs().stream().allMatch(s -> s instanceof Re2Tree.EmptyWidth);
        case Re2Tree.Alternate a -> a.subs().stream().allMatch(s -> s instanceof Re2Tree.EmptyWidth);
        default -> false;
      };
    }

    private Frag nop() {
      int id = alloc(NOP);
      return new Frag(id, List.of(id << 1), true);
    }

    private Frag bytes() {
      int id = alloc(BYTES);
      return new Frag(id, List.of(id << 1), false);
    }

    private Frag cat(Frag a, Frag b) {
      if (a.noMatch() || b.noMatch()) {
        return Frag.NO_MATCH;
      }
      if (op[a.begin()] == NOP && a.exits().equals(List.of(a.begin() << 1)) && out[a.begin()] == 0) {
        patch(a.exits(), b.begin());
        return b;
      }
      patch(a.exits(), b.begin());
      return new Frag(a.begin(), b.exits(), a.nullable() && b.nullable());
    }

    private Frag alt(Frag a, Frag b) {
      if (a.noMatch()) {
        return b;
      }
      if (b.noMatch()) {
        return a;
      }
      int id = alloc(ALT);
      out[id] = a.begin();
      out1[id] = b.begin();
      return new Frag(id, join(a.exits(), b.exits()), a.nullable() || b.nullable());
    }

    private Frag plus(Frag a) {
      if (a.noMatch()) {
        return Frag.NO_MATCH;
      }
      int id = alloc(ALT);
      out[id] = a.begin();
      patch(a.exits(), id);
      return new Frag(a.begin(), List.of((id << 1) | 1), a.nullable());
    }

    private Frag star(Frag a) {
      if (a.noMatch()) {
        return nop();
      }
      if (a.nullable()) {
        return quest(plus(a));
      }
      int id = alloc(ALT);
      out[id] = a.begin();
      patch(a.exits(), id);
      return new Frag(id, List.of((id << 1) | 1), true);
    }

    private Frag quest(Frag a) {
      if (a.noMatch()) {
        return nop();
      }
      int id = alloc(ALT);
      out[id] = a.begin();
      return new Frag(id, join(List.of((id << 1) | 1), a.exits()), true);
    }

    private Frag literal(int rune) {
      Frag f = bytes();
      for (int i = 1; i < utf8(rune).length; i++) {
        f = cat(f, bytes());
      }
      return f;
    }

    /**
     * A class as compile.cc builds it: each rune range split into pieces whose UTF-8 forms share
     * length and leading bytes (AddRuneRangeUTF8), continuation bytes shared through the suffix
     * cache, each piece's lead byte merged into the previous piece when equal
     * (AddSuffixRecursive). A class whose ASCII letters come in both cases skips A-Z, as the
     * lower-case ranges then match both (CharClass::FoldsASCII).
     */
    private Frag charClass(List<Re2Tree.Range> ranges) {
      if (ranges.isEmpty()) {
        return Frag.NO_MATCH;
      }
      boolean foldsAscii = foldsAscii(ranges);
      runeCache.clear();
      rangeRoot = 0;
      rangeExits = new ArrayList<>();
      for (Re2Tree.Range range : ranges) {
        if (foldsAscii && 'A' <= range.lo() && range.hi() <= 'Z') {
          continue;
        }
        addRuneRange(range.lo(), range.hi());
      }
      return new Frag(rangeRoot, rangeExits, false);
    }

    private static boolean foldsAscii(List<Re2Tree.Range> ranges) {
      for (int c = 'A'; c <= 'Z'; c++) {
        if (contains(ranges, c) != contains(ranges, c + 'a' - 'A')) {
          return false;
        }
      }
      return true;
    }

    private static boolean contains(List<Re2Tree.Range> ranges, int rune) {
      return ranges.stream().anyMatch(r -> r.lo() <= rune && rune <= r.hi());
    }

    private final Map<Long, Integer> runeCache = new java.util.HashMap<>();
    private int rangeRoot;
    private List<Integer> rangeExits;

    private int uncachedSuffix(int lo, int hi, int next) {
      int id = alloc(BYTES);
      low[id] = lo;
      high[id] = hi;
      if (next != 0) {
        out[id] = next;
      } else {
        rangeExits.add(id << 1);
      }
      return id;
    }

    private static long cacheKey(int lo, int hi, int next) {
      return (long) next << 17 | (long) lo << 9 | (long) hi << 1;
    }

    private int cachedSuffix(int lo, int hi, int next) {
      Integer id = runeCache.get(cacheKey(lo, hi, next));
      if (id != null) {
        return id;
      }
      int created = uncachedSuffix(lo, hi, next);
      runeCache.put(cacheKey(lo, hi, next), created);
      return created;
    }

    private boolean isCached(int id) {
      return runeCache.containsKey(cacheKey(low[id], high[id], out[id]));
    }

    private void addSuffix(int id) {
      rangeRoot = rangeRoot == 0 ? id : addSuffixRecursive(rangeRoot, id);
    }

    private int addSuffixRecursive(int root, int id) {
      // FindByteRange, forward compilation: only the root itself or the newest branch can match.
      int parent = -1;
      int br;
      if (op[root] == BYTES && sameRange(root, id)) {
        br = root;
      } else if (op[root] == ALT && op[out1[root]] == BYTES && sameRange(out1[root], id)) {
        parent = root;
        br = out1[root];
      } else {
        int alt = alloc(ALT);
        out[alt] = root;
        out1[alt] = id;
        return alt;
      }
      if (isCached(br)) {
        int copy = alloc(BYTES);
        low[copy] = low[br];
        high[copy] = high[br];
        out[copy] = out[br];
        br = copy;
        if (parent < 0) {
          root = br;
        } else {
          out1[parent] = br;
        }
      }
      // The new suffix's lead byte is dropped (RE2 frees it); its continuation merges below br.
      int next = addSuffixRecursive(out[br], out[id]);
      out[br] = next;
      return root;
    }

    private boolean sameRange(int a, int b) {
      return low[a] == low[b] && high[a] == high[b];
    }

    private void addRuneRange(int lo, int hi) {
      if (lo > hi) {
        return;
      }
      if (lo == 0x80 && hi == 0x10FFFF) {
        int cont1 = uncachedSuffix(0x80, 0xBF, 0);
        addSuffix(uncachedSuffix(0xC2, 0xDF, cont1));
        int cont2 = uncachedSuffix(0x80, 0xBF, cont1);
        addSuffix(uncachedSuffix(0xE0, 0xEF, cont2));
        int cont3 = uncachedSuffix(0x80, 0xBF, cont2);
        addSuffix(uncachedSuffix(0xF0, 0xF4, cont3));
        return;
      }
      for (int i = 1; i < 4; i++) {
        int max = maxRune(i);
        if (lo <= max && max < hi) {
          addRuneRange(lo, max);
          addRuneRange(max + 1, hi);
          return;
        }
      }
      if (hi < 0x80) {
        addSuffix(uncachedSuffix(lo, hi, 0));
        return;
      }
      for (int i = 1; i < 4; i++) {
        int m = (1 << (6 * i)) - 1;
        if ((lo & ~m) != (hi & ~m)) {
          if ((lo & m) != 0) {
            addRuneRange(lo, lo | m);
            addRuneRange((lo | m) + 1, hi);
            return;
          }
          if ((hi & m) != m) {
            addRuneRange(lo, (hi & ~m) - 1);
            addRuneRange(hi & ~m, hi);
            return;
          }
        }
      }
      int[] ulo = utf8(lo);
      int[] uhi = utf8(hi);
      int id = 0;
      for (int i = ulo.length - 1; i >= 0; i--) {
        if (i == ulo.length - 1 || (ulo[i] < uhi[i] && i != 0)) {
          id = cachedSuffix(ulo[i], uhi[i], id);
        } else {
          id = uncachedSuffix(ulo[i], uhi[i], id);
        }
      }
      addSuffix(id);
    }

    /** prog.cc Optimize: every out and out1 reachable from start skips chains of Nops. */
    private void optimize(int start) {
      BitSet queued = new BitSet(count);
      Deque<Integer> queue = new ArrayDeque<>();
      queue.add(start);
      queued.set(start);
      while (!queue.isEmpty()) {
        int id = queue.poll();
        out[id] = skipNops(out[id]);
        enqueue(queue, queued, out[id]);
        if (op[id] == ALT) {
          out1[id] = skipNops(out1[id]);
          enqueue(queue, queued, out1[id]);
        }
      }
    }

    private int skipNops(int id) {
      while (id != 0 && op[id] == NOP) {
        id = out[id];
      }
      return id;
    }

    private static void enqueue(Deque<Integer> queue, BitSet queued, int id) {
      if (id != 0 && !queued.get(id)) {
        queued.set(id);
        queue.add(id);
      }
    }

    /** prog.cc Flatten: the number of instructions in the flattened lists. */
    private int flatten(int start, int startUnanchored) {
      Map<Integer, Boolean> roots = new LinkedHashMap<>();
      roots.put(0, true);
      roots.put(startUnanchored, true);
      roots.put(start, true);
      List<List<Integer>> preds = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        preds.add(null);
      }
      BitSet reachable = new BitSet(count);
      Deque<Integer> stack = new ArrayDeque<>();
      stack.push(startUnanchored);
      while (!stack.isEmpty()) {
        int id = stack.pop();
        while (!reachable.get(id)) {
          reachable.set(id);
          switch (op[id]) {
            case ALT -> {
              for (int target : new int[] {out[id], out1[id]}) {
                if (preds.get(target) == null) {
                  preds.set(target, new ArrayList<>());
                }
                preds.get(target).add(id);
              }
              stack.push(out1[id]);
              id = out[id];
            }
            case BYTES, CAPTURE, EMPTY -> {
              roots.putIfAbsent(out[id], true);
              id = out[id];
            }
            case NOP -> id = out[id];
            default -> { }
          }
        }
      }
      List<Integer> sorted = new ArrayList<>(roots.keySet());
      sorted.sort(Integer::compare);
      for (int i = sorted.size() - 1; i > 0; i--) {
        int root = sorted.get(i);
        if (root != startUnanchored && root != start) {
          markDominator(root, roots, preds);
        }
      }
      int size = 0;
      for (int root : new ArrayList<>(roots.keySet())) {
        size += emitList(root, roots);
      }
      return size;
    }

    private void markDominator(int root, Map<Integer, Boolean> roots, List<List<Integer>> preds) {
      BitSet reachable = new BitSet(count);
      walk(root, roots, reachable);
      for (int id = reachable.nextSetBit(0); id >= 0; id = reachable.nextSetBit(id + 1)) {
        List<Integer> p = preds.get(id);
        if (p != null && p.stream().anyMatch(pred -> !reachable.get(pred))) {
          roots.putIfAbsent(id, true);
        }
      }
    }

    private int emitList(int root, Map<Integer, Boolean> roots) {
      return walk(root, roots, new BitSet(count));
    }

    /**
     * RE2's walk from {@code root} through ALT and NOP instructions, stopping at other roots and
     * at every other instruction: marks what it reaches in {@code reachable} and returns how many
     * instructions the flattened list of {@code root} gets (the stops).
     */
    private int walk(int root, Map<Integer, Boolean> roots, BitSet reachable) {
      int emitted = 0;
      Deque<Integer> stack = new ArrayDeque<>();
      stack.push(root);
      while (!stack.isEmpty()) {
        int id = stack.pop();
        while (!reachable.get(id)) {
          reachable.set(id);
          if (id != root && roots.containsKey(id)) {
            emitted++;
            break;
          }
          if (op[id] == ALT) {
            stack.push(out1[id]);
            id = out[id];
          } else if (op[id] == NOP) {
            id = out[id];
          } else {
            emitted++;
            break;
          }
        }
      }
      return emitted;
    }
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

  /** The largest rune whose UTF-8 form has {@code bytes} bytes. */
  private static int maxRune(int bytes) {
    int bits = bytes == 1 ? 7 : 8 - (bytes + 1) + 6 * (bytes - 1);
    return (1 << bits) - 1;
  }

  /** UTF-8 bytes as RE2's runetochar writes them, surrogates included. */
  private static int[] utf8(int rune) {
    if (rune < 0x80) {
      return new int[] {rune};
    }
    if (rune < 0x800) {
      return new int[] {0xC0 | rune >> 6, 0x80 | rune & 0x3F};
    }
    if (rune < 0x10000) {
      return new int[] {0xE0 | rune >> 12, 0x80 | rune >> 6 & 0x3F, 0x80 | rune & 0x3F};
    }
    return new int[] {0xF0 | rune >> 18, 0x80 | rune >> 12 & 0x3F, 0x80 | rune >> 6 & 0x3F, 0x80 | rune & 0x3F};
  }
}
