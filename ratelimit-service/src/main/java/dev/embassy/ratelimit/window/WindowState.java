package dev.embassy.ratelimit.window;

/**
 * The two fixed windows a sliding-window counter keeps: the count of the current window (which
 * starts at {@code currentStart}, epoch milliseconds aligned to the window length) and of the one
 * before it. This is what moves between nodes on hand-over and global-mode sync.
 */
public record WindowState(long currentStart, long current, long previous) {
  public WindowState {
    if (current < 0 || previous < 0) {
      throw new IllegalArgumentException("negative count: " + current + "/" + previous);
    }
  }

  public static final WindowState EMPTY = new WindowState(0, 0, 0);

  public boolean isEmpty() {
    return current == 0 && previous == 0;
  }
}
