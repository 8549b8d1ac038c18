package dev.embassy.ratelimit.window;

/**
 * Cloudflare's sliding-window counter for one key: two fixed windows aligned to the epoch, and
 * the estimate {@code previous × (window − elapsed) / window + current}, where {@code elapsed} is
 * how far now is into the current window. That assumes the previous window's hits were spread
 * evenly; Cloudflare measured 0.003% wrong decisions over 400M requests, and
 * {@code SlidingWindowPropertyTest} measures ours against an exact sliding log.
 *
 * <p>Hits are admitted when {@code estimate + hits ≤ limit}, compared in exact integer arithmetic
 * (both sides multiplied by the window length), and only admitted hits are counted: a client that
 * keeps retrying while limited does not push its own window further out.
 *
 * <p><b>What "reset" means.</b> A sliding window has no single reset instant, so the counter
 * reports the moment that matters to the caller:
 * <ul>
 *   <li>while quota remains: the end of the current fixed window, when the previous window's
 *       weight is dropped; the quota at that point is at least what remains now;</li>
 *   <li>when no quota remains (including a refused hit): the earliest time at which one more hit
 *       will be admitted if nothing else arrives, so a client that waits that long succeeds
 *       (a truthful Retry-After). With a limit of 0 nothing is ever admitted and the end of the
 *       window is reported.</li>
 * </ul>
 *
 * <p>Thread safety: every method is synchronized on the counter; the critical sections are a few
 * arithmetic operations. A counter that was {@link #retire retired} (handed to another node)
 * refuses further use so that the store can retry on a fresh counter and no hit is lost.
 */
public final class SlidingWindowCounter {
  /** envoyproxy/ratelimit's NEAR_LIMIT_RATIO default: hits above 80% of the limit are "near limit". */
  static final long NEAR_LIMIT_PERCENT = 80;

  private final long windowMillis;
  private long currentStart;
  private long current;
  private long previous;
  private boolean retired;

  public SlidingWindowCounter(long windowMillis, long now) {
    if (windowMillis <= 0) {
      throw new IllegalArgumentException("window must be positive");
    }
    this.windowMillis = windowMillis;
    this.currentStart = alignedStart(now, windowMillis);
  }

  /** A counter holding {@code state}, e.g. the owner's state as a global-mode node last saw it. */
  public SlidingWindowCounter(long windowMillis, WindowState state) {
    this(windowMillis, state.currentStart());
    this.current = state.current();
    this.previous = state.previous();
  }

  /** Signals that the counter was handed over; the caller must look the key up again. */
  public static final class RetiredException extends RuntimeException {
    RetiredException() {
      super("counter retired", null, false, false);
    }
  }

  public long windowMillis() {
    return windowMillis;
  }

  /** Exact mode: admits {@code hits} if they fit under {@code limit}, counting them only then. */
  public synchronized Decision check(long now, long limit, long hits) {
    live();
    roll(now);
    long elapsed = elapsed(now);
    long w = windowMillis;
    // estimate + hits <= limit, multiplied through by w to stay in integers.
    long lhs = saturatingAdd(saturatingMul(previous, w - elapsed), saturatingMul(saturatingAdd(current, hits), w));
    boolean admitted = lhs <= saturatingMul(limit, w);
    if (admitted) {
      current = saturatingAdd(current, hits);
    }
    return decision(admitted, now, limit);
  }

  /**
   * Global mode: adds hits another node already admitted, into the window they were admitted in
   * ({@code windowStartOfHits}, or the current window when 0), and returns the resulting state.
   */
  public synchronized WindowState add(long now, long hits, long windowStartOfHits) {
    live();
    roll(now);
    if (windowStartOfHits == 0 || windowStartOfHits >= currentStart) {
      // A sender whose clock runs ahead may already be in the next window; the hits are recent
      // either way, and counting them now loses none.
      current = saturatingAdd(current, hits);
    } else if (windowStartOfHits == currentStart - windowMillis) {
      previous = saturatingAdd(previous, hits);
    }
    // Older hits no longer weigh on the estimate.
    return stateAt();
  }

  /** The current state after rolling to {@code now}, without changing any count. */
  public synchronized WindowState snapshot(long now) {
    roll(now);
    return stateAt();
  }

  /**
   * The answer a hit of zero would get: remaining quota and reset at {@code now} for
   * {@code limit}, without counting anything.
   */
  public synchronized Decision peek(long now, long limit) {
    roll(now);
    long ceilEstimate = ceilEstimate(now);
    return decision(ceilEstimate <= limit, now, limit);
  }

  /**
   * Adds another node's state for the same key. The sender removed it from its own table before
   * sending, so summing counts every hit exactly once; windows are aligned first.
   */
  public synchronized void merge(long now, WindowState other) {
    live();
    roll(now);
    if (other.isEmpty()) {
      return;
    }
    if (other.currentStart() == currentStart) {
      current = saturatingAdd(current, other.current());
      previous = saturatingAdd(previous, other.previous());
    } else if (other.currentStart() == currentStart - windowMillis) {
      previous = saturatingAdd(previous, other.current());
    } else if (other.currentStart() > currentStart) {
      // The sender's clock is ahead of ours: its windows are ours or later. Keep every hit, in
      // our current window.
      current = saturatingAdd(current, saturatingAdd(other.current(), other.previous()));
    }
    // Otherwise the state is two or more windows old and weighs nothing any more.
  }

  /**
   * Marks the counter as handed over and returns its state; every later call fails with
   * {@link RetiredException}. Returns empty if it was already retired.
   */
  public synchronized WindowState retire(long now) {
    if (retired) {
      return WindowState.EMPTY;
    }
    roll(now);
    retired = true;
    return stateAt();
  }

  /** Whether both windows have slid out entirely, so the counter can be dropped. */
  public synchronized boolean idle(long now) {
    return now >= currentStart + 2 * windowMillis || (current == 0 && previous == 0 && now >= currentStart + windowMillis);
  }

  private void live() {
    if (retired) {
      throw new RetiredException();
    }
  }

  private WindowState stateAt() {
    return new WindowState(currentStart, current, previous);
  }

  private void roll(long now) {
    long start = alignedStart(now, windowMillis);
    if (start <= currentStart) {
      // Same window, or the clock stepped back: keep counting in the window we have.
      return;
    }
    previous = start - currentStart == windowMillis ? current : 0;
    current = 0;
    currentStart = start;
  }

  private long elapsed(long now) {
    // Clamped: a clock that stepped back puts "now" before the window start.
    return Math.max(0, Math.min(windowMillis - 1, now - currentStart));
  }

  /** The estimate rounded up: {@code current + ⌈previous × (w − elapsed) / w⌉}. */
  private long ceilEstimate(long now) {
    long elapsed = elapsed(now);
    return saturatingAdd(current, ceilDiv(saturatingMul(previous, windowMillis - elapsed), windowMillis));
  }

  private Decision decision(boolean admitted, long now, long limit) {
    long ceilEstimate = ceilEstimate(now);
    long remaining = Math.max(0, limit - ceilEstimate);
    return new Decision(admitted, remaining, resetMillis(now, limit, remaining));
  }

  private long resetMillis(long now, long limit, long remaining) {
    long elapsed = elapsed(now);
    long w = windowMillis;
    long untilWindowEnd = w - elapsed;
    if (remaining > 0 || limit == 0) {
      return untilWindowEnd;
    }
    if (current + 1 <= limit) {
      // Within this window the previous window's weight decays until one hit fits:
      // previous × (w − elapsed − t) + (current + 1) × w ≤ limit × w.
      long excess = saturatingMul(previous, untilWindowEnd) - saturatingMul(limit - current - 1, w);
      return Math.max(1, ceilDiv(Math.max(0, excess), previous));
    }
    // Only after the window rolls: then current becomes the previous window and decays, with
    // current × (w − s) ≤ (limit − 1) × w  ⇔  s ≥ w × (current − limit + 1) / current.
    long s = ceilDiv(saturatingMul(w, current - limit + 1), current);
    return untilWindowEnd + Math.min(s, w);
  }

  public static long alignedStart(long now, long windowMillis) {
    return Math.floorDiv(now, windowMillis) * windowMillis;
  }

  private static long ceilDiv(long a, long b) {
    return Math.ceilDiv(a, b);
  }

  private static long saturatingMul(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
      return low;
    }
    return (a ^ b) < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
  }

  private static long saturatingAdd(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }
}
