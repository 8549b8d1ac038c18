package dev.embassy.config.store;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the config store: loads the latest revision at start, then again whenever Postgres
 * announces a new one (LISTEN/NOTIFY; no polling). Loads start at most once per debounce window:
 * a change after a quiet spell is loaded at once, and the revisions of a burst are coalesced.
 * When Postgres is unreachable it reconnects with capped, jittered backoff while the last loaded
 * config keeps being served, and says so in {@link #healthy()}.
 */
public final class ConfigFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigFollower.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final DataSource dataSource;
  private final ConfigStore store;
  private final Duration debounce;
  private final Consumer<ConfigSnapshot> onChange;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicBoolean healthy = new AtomicBoolean(false);
  private final AtomicLong loadedRevision = new AtomicLong(-1);
  /** The config last handed on; touched only by the follower's thread. */
  private ConfigSnapshot loaded;
  private final Thread thread;

  public ConfigFollower(DataSource dataSource, Duration debounce, Consumer<ConfigSnapshot> onChange) {
    this.dataSource = dataSource;
    this.store = new ConfigStore(dataSource);
    this.debounce = debounce;
    this.onChange = onChange;
    this.thread = Thread.ofPlatform().name("config-follower").daemon().unstarted(this::run);
  }

  public ConfigFollower start() {
    thread.start();
    return this;
  }

  /** Whether the follower is connected to Postgres and has loaded the latest revision. */
  public boolean healthy() {
    return healthy.get();
  }

  /** The revision last handed to the consumer; -1 before the first load. */
  public long loadedRevision() {
    return loadedRevision.get();
  }

  private void run() {
    long backoffMillis = 100;
    while (running.get()) {
      // LISTEN first, then load: a revision committed in between is both loaded and announced,
      // never missed.
      try (RevisionNotifications notifications = RevisionNotifications.listen(dataSource)) {
        long lastLoad = System.nanoTime();
        load();
        healthy.set(true);
        backoffMillis = 100;
        while (running.get()) {
          if (!notifications.await(1_000).isEmpty()) {
            // At most one load per debounce window, counted from the start of the last load: a
            // change after a quiet spell is loaded at once, and so is the next one-at-a-time
            // write whose commit comes a window after the previous load began. Only revisions
            // arriving faster than that are gathered until the window ends. (Counting from the
            // end of the load, as before, made a writer that waits for each route to be served
            // sleep 1-3 ms on most writes.)
            long wait = debounce.toNanos() - (System.nanoTime() - lastLoad);
            if (wait > 0) {
              sleepNanos(wait);
              notifications.pending();
            }
            lastLoad = System.nanoTime();
            load();
          }
        }
      } catch (Exception e) {
        healthy.set(false);
        if (!running.get()) {
          return;
        }
        LOG.warn("config store unavailable ({}); serving revision {} and retrying in {} ms", e.getMessage(), loadedRevision.get(), backoffMillis);
        sleep(backoffMillis + ThreadLocalRandom.current().nextLong(backoffMillis / 2 + 1));
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
      }
    }
  }

  private void load() {
    // After the first load only what changed is read, so a revision's cost follows its size.
    long started = System.nanoTime();
    ConfigSnapshot snapshot = loaded == null ? store.snapshot() : store.snapshotAfter(loaded);
    if (snapshot.revision() != loadedRevision.get()) {
      LOG.debug("loaded revision {} in {} ms", snapshot.revision(), (System.nanoTime() - started) / 1_000_000);
      onChange.accept(snapshot);
      loaded = snapshot;
      loadedRevision.set(snapshot.revision());
    }
  }

  private static void sleep(long millis) {
    sleepNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis));
  }

  private static void sleepNanos(long nanos) {
    if (nanos <= 0) {
      return;
    }
    try {
      Thread.sleep(java.time.Duration.ofNanos(nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running.set(false);
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
