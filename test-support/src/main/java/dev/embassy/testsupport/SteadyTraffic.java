package dev.embassy.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop requests through Envoy from a background thread, counting successes and failures
 * (any status but 200, or no answer), so a test can assert that a change under load failed
 * nothing. Failures before the first success are not counted: Envoy may still be warming up.
 */
public final class SteadyTraffic implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final AtomicLong successes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Map<Integer, AtomicLong> failedStatuses = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  private SteadyTraffic(URI uri, Duration pause) {
    thread = Thread.ofPlatform().daemon().name("steady-traffic").start(() -> {
      while (running.get()) {
        int status = status(uri);
        if (status == 200) {
          successes.incrementAndGet();
        } else if (successes.get() > 0) {
          failures.incrementAndGet();
          failedStatuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
        }
        if (!pause.isZero()) {
          try {
            Thread.sleep(pause);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    });
  }

  /** Requests {@code http://127.0.0.1:port/path} with {@code pause} between requests. */
  public static SteadyTraffic start(int port, String path, Duration pause) {
    return new SteadyTraffic(URI.create("http://127.0.0.1:" + port + path), pause);
  }

  public long successes() {
    return successes.get();
  }

  public long failures() {
    return failures.get();
  }

  /** Failed requests by status (-1: no answer). */
  public Map<Integer, Long> failedStatuses() {
    Map<Integer, Long> copy = new TreeMap<>();
    failedStatuses.forEach((status, count) -> copy.put(status, count.get()));
    return copy;
  }

  public void awaitSuccesses(long count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (successes.get() < count) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + successes.get() + " of " + count + " requests succeeded within " + timeout
            + "; failures by status: " + failedStatuses());
      }
      Thread.sleep(10);
    }
  }

  private static int status(URI uri) {
    try {
      return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  @Override
  public void close() {
    running.set(false);
    try {
      thread.join(3_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
