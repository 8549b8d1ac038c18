package dev.embassy.ratelimit.window;

/**
 * Wall-clock time in epoch milliseconds. Windows are aligned to the epoch so that every node
 * agrees on where a window starts; tests pass a manual clock so window math never sleeps.
 */
@FunctionalInterface
public interface MillisClock {
  long nowMillis();

  static MillisClock system() {
    return System::currentTimeMillis;
  }
}
