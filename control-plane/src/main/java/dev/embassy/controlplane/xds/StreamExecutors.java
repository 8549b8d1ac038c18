package dev.embassy.controlplane.xds;

import io.envoyproxy.controlplane.server.ExecutorGroup;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Where responses to ADS streams are sent from. java-control-plane's default sends on the thread
 * that publishes a snapshot, so one publish serialises and writes to every stream in turn before
 * the next revision can even be translated. Here each stream is pinned to one of a few
 * single-threaded executors: per-stream order is kept (Envoy needs it), streams are served in
 * parallel, and publishing returns at once.
 */
public final class StreamExecutors implements ExecutorGroup, AutoCloseable {
  private final List<ExecutorService> executors;
  private final AtomicInteger next = new AtomicInteger();

  public StreamExecutors(int threads) {
    this.executors = IntStream.range(0, threads)
        .mapToObj(i -> Executors.newSingleThreadExecutor(Thread.ofPlatform().name("xds-send-" + i).daemon().factory()))
        .toList();
  }

  @Override
  public java.util.concurrent.Executor next() {
    return executors.get(Math.floorMod(next.getAndIncrement(), executors.size()));
  }

  @Override
  public void close() {
    executors.forEach(ExecutorService::shutdownNow);
  }
}
