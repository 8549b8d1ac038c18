package dev.embassy.discovery.consul;

import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands values to one listener, latest wins: a slow listener is never queued a backlog of
 * intermediate lists, it gets the newest when it is done with the last; it is called by one thread
 * at a time, never the watch loop's; a value equal to the last one delivered is not delivered
 * again (so offers racing a subscription, or A→B→A while the listener was busy, make no call).
 */
final class CoalescingDelivery<T> {
  private static final Logger LOG = LoggerFactory.getLogger(CoalescingDelivery.class);

  private final String target;
  private final Consumer<T> listener;
  private final Executor executor;
  private final AtomicReference<T> pending = new AtomicReference<>();
  /** Set while a drain task is scheduled or running; the one drainer owns {@link #lastDelivered}. */
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile boolean closed;
  private Optional<T> lastDelivered = Optional.empty();

  CoalescingDelivery(String target, Consumer<T> listener, Executor executor) {
    this.target = target;
    this.listener = listener;
    this.executor = executor;
  }

  void offer(T value) {
    if (closed) {
      return;
    }
    pending.set(value);
    schedule();
  }

  /** No calls start after this; one in progress finishes. */
  void close() {
    closed = true;
    pending.set(null);
  }

  private void schedule() {
    if (draining.compareAndSet(false, true)) {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException shutDown) {
        draining.set(false);
      }
    }
  }

  private void drain() {
    try {
      T value;
      while (!closed && (value = pending.getAndSet(null)) != null) {
        if (lastDelivered.isPresent() && lastDelivered.get().equals(value)) {
          continue;
        }
        lastDelivered = Optional.of(value);
        try {
          listener.accept(value);
        } catch (RuntimeException e) {
          // A failing listener must not stop the watch or the other listeners; it gets the next change.
          LOG.error("listener of {} failed", target, e);
        }
      }
    } finally {
      draining.set(false);
      if (!closed && pending.get() != null) {
        schedule();
      }
    }
  }
}
