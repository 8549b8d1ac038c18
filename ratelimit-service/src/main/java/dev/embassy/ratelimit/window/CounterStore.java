package dev.embassy.ratelimit.window;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * This node's sliding-window counters, by key. A counter removed from the table (handed over or
 * evicted) is retired under its own lock first, so a request that looked it up just before is
 * told to look again and its hit lands in the live counter: no hit is counted on a counter that
 * nobody will read again.
 */
public final class CounterStore {
  private final ConcurrentHashMap<CounterKey, SlidingWindowCounter> counters = new ConcurrentHashMap<>();
  private final MillisClock clock;

  public CounterStore(MillisClock clock) {
    this.clock = clock;
  }

  public MillisClock clock() {
    return clock;
  }

  /** Exact mode: admits {@code hits} on {@code key} if they fit under {@code limit}. */
  public Decision check(CounterKey key, long limit, long hits) {
    return withCounter(key, counter -> {
      long now = clock.nowMillis();
      return hits == 0 ? counter.peek(now, limit) : counter.check(now, limit, hits);
    });
  }

  /** Global mode: adds hits a node already admitted; returns the state after adding. */
  public WindowState add(CounterKey key, long hits, long windowStartOfHits) {
    return withCounter(key, counter -> counter.add(clock.nowMillis(), hits, windowStartOfHits));
  }

  /** Adds a state handed over by another node. */
  public void merge(CounterKey key, WindowState state) {
    withCounter(key, counter -> {
      counter.merge(clock.nowMillis(), state);
      return null;
    });
  }

  /** The state of {@code key} now, or empty if this node holds no counter for it. */
  public WindowState snapshot(CounterKey key) {
    SlidingWindowCounter counter = counters.get(key);
    return counter == null ? WindowState.EMPTY : counter.snapshot(clock.nowMillis());
  }

  /**
   * Removes every counter whose key matches and returns the states, in no particular order;
   * used to hand keys to their new owner. Empty states are dropped, not returned.
   */
  public Map<CounterKey, WindowState> detach(Predicate<CounterKey> which) {
    Map<CounterKey, WindowState> detached = new LinkedHashMap<>();
    long now = clock.nowMillis();
    for (Map.Entry<CounterKey, SlidingWindowCounter> entry : counters.entrySet()) {
      if (which.test(entry.getKey()) && counters.remove(entry.getKey(), entry.getValue())) {
        WindowState state = entry.getValue().retire(now);
        if (!state.isEmpty()) {
          detached.put(entry.getKey(), state);
        }
      }
    }
    return detached;
  }

  /** Drops counters whose windows have both slid out; returns how many were dropped. */
  public int evictIdle() {
    long now = clock.nowMillis();
    List<CounterKey> idle = new ArrayList<>();
    counters.forEach((key, counter) -> {
      if (counter.idle(now)) {
        idle.add(key);
      }
    });
    int evicted = 0;
    for (CounterKey key : idle) {
      SlidingWindowCounter counter = counters.get(key);
      // Re-checked under the counter's lock (inside retire): a hit may have arrived meanwhile.
      if (counter != null && counter.idle(now) && counters.remove(key, counter)) {
        WindowState left = counter.retire(now);
        if (!left.isEmpty() && !counter.idle(clock.nowMillis())) {
          merge(key, left);
        }
        evicted++;
      }
    }
    return evicted;
  }

  public int size() {
    return counters.size();
  }

  private <T> T withCounter(CounterKey key, Function<SlidingWindowCounter, T> action) {
    while (true) {
      SlidingWindowCounter counter =
          counters.computeIfAbsent(key, k -> new SlidingWindowCounter(k.windowMillis(), clock.nowMillis()));
      try {
        return action.apply(counter);
      } catch (SlidingWindowCounter.RetiredException handedOver) {
        // Removed between lookup and use; the next lookup finds or creates the live counter.
        counters.remove(key, counter);
      }
    }
  }
}
