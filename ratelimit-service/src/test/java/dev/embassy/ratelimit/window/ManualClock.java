package dev.embassy.ratelimit.window;

import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand, so window math is tested without sleeping. */
public final class ManualClock implements MillisClock {
  private final AtomicLong now;

  public ManualClock(long startMillis) {
    this.now = new AtomicLong(startMillis);
  }

  @Override
  public long nowMillis() {
    return now.get();
  }

  public void advance(long millis) {
    now.addAndGet(millis);
  }

  public void set(long millis) {
    now.set(millis);
  }
}
