package dev.embassy.ratelimit.window;

/**
 * The answer for one hit on one counter.
 *
 * @param admitted whether the hits fitted under the limit (and were therefore counted)
 * @param remaining how many more single hits would be admitted right now
 * @param resetMillis see {@link SlidingWindowCounter} for what "reset" means for a sliding window
 */
public record Decision(boolean admitted, long remaining, long resetMillis) {
  /**
   * Whether the window is above envoyproxy/ratelimit's near-limit ratio (80%) of {@code limit};
   * derived from {@code remaining} so that it needs nothing else from the owner node.
   */
  public boolean nearLimit(long limit) {
    return (limit - remaining) * 100 > limit * SlidingWindowCounter.NEAR_LIMIT_PERCENT;
  }
}
