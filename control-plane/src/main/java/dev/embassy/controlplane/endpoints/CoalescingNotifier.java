package dev.embassy.controlplane.endpoints;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Passes changed keys downstream on one thread of its own, merging the changes that arrive while a
 * call is running into the next call. A lone change goes out at once; a burst (Consul answering a
 * thousand new watches at start-up, a rolling deploy) becomes a few calls instead of one each.
 * Without it, each service's change was published to every proxy on its own: with 100 proxies the
 * initial sync of 1,000 services took 47 s instead of 5 (bench/run consul-eds, docs/benchmarks.md).
 */
final class CoalescingNotifier<K> implements AutoCloseable {
  private final Consumer<Set<K>> downstream;
  private final ExecutorService thread;
  /** Guarded by this. */
  private Set<K> pending = new HashSet<>();
  /** Guarded by this: a drain is queued that has not yet taken {@code pending}. */
  private boolean queued;

  CoalescingNotifier(String threadName, Consumer<Set<K>> downstream) {
    this.downstream = downstream;
    this.thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name(threadName).daemon().factory());
  }

  void changed(K key) {
    synchronized (this) {
      pending.add(key);
      if (queued) {
        return;
      }
      queued = true;
    }
    try {
      thread.execute(this::drain);
    } catch (RejectedExecutionException closed) {
      // Closing: nobody is listening any more.
    }
  }

  private void drain() {
    Set<K> batch;
    synchronized (this) {
      batch = pending;
      pending = new HashSet<>();
      queued = false;
    }
    downstream.accept(Set.copyOf(batch));
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
