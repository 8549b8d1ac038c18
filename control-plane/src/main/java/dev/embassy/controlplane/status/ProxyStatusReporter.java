package dev.embassy.controlplane.status;

import dev.embassy.config.store.ProxyStatuses;
import dev.embassy.config.store.Quarantines;
import dev.embassy.controlplane.xds.ProxyRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this replica's view of its proxies to Postgres, where the admin API reads it: on every
 * change (within a quarter second) and at least every 10 s as a heartbeat. NACKs are recorded as
 * they come, and so is the route quarantine, ahead of the proxy status of the same round: whoever
 * sees a proxy run a rebuilt revision also sees why a route is missing from it. A database outage
 * delays reports; it never blocks xDS.
 */
public final class ProxyStatusReporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyStatusReporter.class);
  private static final Duration HEARTBEAT = Duration.ofSeconds(10);

  private final String replica;
  private final ProxyRegistry registry;
  private final ProxyStatuses statuses;
  private final Quarantines quarantines;
  /** The quarantine still to be written; null when the database has the latest. */
  private final java.util.concurrent.atomic.AtomicReference<List<Quarantines.Quarantined>> quarantine = new java.util.concurrent.atomic.AtomicReference<>();
  private final java.util.function.LongSupplier servedRevision;
  private final BlockingQueue<ProxyRegistry.Nack> nacks = new LinkedBlockingQueue<>(10_000);
  private final AtomicBoolean running = new AtomicBoolean(true);
  /** What the database holds for this replica; null until the first report, and after a failed write. */
  private java.util.Map<String, ProxyStatuses.Proxy> lastReported;
  private final Thread thread;

  /**
   * @param servedRevision moves with what is served (a new revision, or one rebuilt): when it moves, proxies whose resources it
   *     did not change have applied it too, and that is reported at once.
   */
  public ProxyStatusReporter(String replica, ProxyRegistry registry, ProxyStatuses statuses, Quarantines quarantines,
      java.util.function.LongSupplier servedRevision) {
    this.quarantines = quarantines;
    this.servedRevision = servedRevision;
    this.replica = replica;
    this.registry = registry;
    this.statuses = statuses;
    this.thread = Thread.ofPlatform().name("proxy-status").daemon().unstarted(this::run);
  }

  /** The NACK sink to give the registry; bounded, so a long outage drops the oldest reports only. */
  public void nack(ProxyRegistry.Nack nack) {
    LOG.debug("NACK queued for the store: proxy={} node_group={} type={} version={}: {}", nack.proxyId(), nack.nodeGroup(), nack.typeUrl(), nack.version(), nack.detail());
    if (!nacks.offer(nack)) {
      nacks.poll();
      nacks.offer(nack);
    }
    synchronized (nacks) {
      nacks.notifyAll();
    }
  }

  /** What this replica keeps out now; written on the next round, before proxy status. */
  public void quarantined(List<Quarantines.Quarantined> resources) {
    quarantine.set(List.copyOf(resources));
    synchronized (nacks) {
      nacks.notifyAll();
    }
  }

  public ProxyStatusReporter start() {
    thread.start();
    return this;
  }

  private void run() {
    long reported = -1;
    long reportedRevision = -2;
    long lastReport = 0;
    while (running.get()) {
      try {
        waitForWork();
        // Peek, write, then remove: a NACK whose write fails stays queued for the next attempt.
        for (ProxyRegistry.Nack nack = nacks.peek(); nack != null; nack = nacks.peek()) {
          statuses.recordNack(replica, nack.proxyId(), nack.nodeGroup(), nack.typeUrl(), nack.version(), nack.detail(), nack.at());
          nacks.remove(nack);
        }
        List<Quarantines.Quarantined> kept = quarantine.get();
        if (kept != null) {
          quarantines.replace(replica, kept);
          // A newer list set meanwhile stays to be written.
          quarantine.compareAndSet(kept, null);
        }
        long changes = registry.changeCount();
        long revision = servedRevision.getAsLong();
        if (changes != reported || revision != reportedRevision || System.nanoTime() - lastReport > HEARTBEAT.toNanos()) {
          report();
          reported = changes;
          reportedRevision = revision;
          lastReport = System.nanoTime();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.warn("cannot report proxy status ({}); retrying", e.getMessage());
        sleepQuietly();
      }
    }
  }

  /** Writes the proxies that changed since the last report (all of them the first time, or after a failure). */
  private void report() {
    java.util.Map<String, ProxyStatuses.Proxy> now = new java.util.LinkedHashMap<>();
    for (ProxyRegistry.ProxyStatus p : registry.proxies()) {
      now.put(p.proxyId(), new ProxyStatuses.Proxy(replica, p.proxyId(), p.nodeGroup(), p.connectedSince(), p.acked(), p.appliedRevision()));
    }
    java.util.Map<String, ProxyStatuses.Proxy> before = lastReported;
    lastReported = null;
    if (before == null) {
      statuses.replace(replica, List.copyOf(now.values()));
    } else {
      List<ProxyStatuses.Proxy> changed = now.values().stream().filter(p -> !p.equals(before.get(p.proxyId()))).toList();
      List<String> gone = before.keySet().stream().filter(id -> !now.containsKey(id)).toList();
      statuses.report(replica, changed, gone);
    }
    lastReported = now;
  }

  private void waitForWork() throws InterruptedException {
    synchronized (nacks) {
      if (nacks.isEmpty() && quarantine.get() == null) {
        nacks.wait(250);
      }
    }
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running.set(false);
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
