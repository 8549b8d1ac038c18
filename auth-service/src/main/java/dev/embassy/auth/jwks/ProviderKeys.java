package dev.embassy.auth.jwks;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current keys of one issuer. Fetched asynchronously when created, refreshed in the background
 * (interval from Cache-Control within bounds), and refetched when a token names a kid we do not
 * have: one fetch at a time (callers share it) and at most one per kidRefetchInterval, so a
 * stream of tokens with made-up kids cannot turn us into a load generator against the IdP.
 * When a fetch fails the last good keys stay in use (the IdP being down must not log everybody
 * out) and health says so.
 */
public final class ProviderKeys implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProviderKeys.class);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  private static final Duration MAX_RETRY = Duration.ofSeconds(30);

  /** What health and readiness need to know about one issuer's keys. */
  public record State(KeySource source, boolean attempted, boolean hasKeys, Optional<String> lastError, Optional<Instant> lastSuccess) {}

  private final KeySource source;
  private final JwksFetcher fetcher;
  private final FetchSettings settings;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService fetchThreads;
  private final FetchListener listener;
  private final Clock clock;

  private volatile KeySet keys = KeySet.EMPTY;
  private volatile Optional<URI> resolvedJwksUri = Optional.empty();
  private volatile boolean attempted;
  private volatile Optional<String> lastError = Optional.empty();
  private volatile Optional<Instant> lastSuccess = Optional.empty();
  private volatile boolean closed;

  private final Object lock = new Object();
  private CompletableFuture<KeySet> inFlight; // guarded by lock
  private Instant lastKidRefetch = Instant.EPOCH; // guarded by lock
  private ScheduledFuture<?> nextRefresh; // guarded by lock
  private Duration retryDelay = FIRST_RETRY; // guarded by lock

  ProviderKeys(KeySource source, JwksFetcher fetcher, FetchSettings settings, ScheduledExecutorService scheduler,
      ExecutorService fetchThreads, FetchListener listener, Clock clock) {
    this.source = source;
    this.fetcher = fetcher;
    this.settings = settings;
    this.scheduler = scheduler;
    this.fetchThreads = fetchThreads;
    this.listener = listener;
    this.clock = clock;
  }

  /** Starts the first fetch; returns at once. */
  ProviderKeys start() {
    fetch(FetchTrigger.STARTUP);
    return this;
  }

  public KeySource source() {
    return source;
  }

  public KeySet current() {
    return keys;
  }

  public State state() {
    return new State(source, attempted, !keys.isEmpty(), lastError, lastSuccess);
  }

  /**
   * Called when a token names an unknown kid. Returns the fetch every such caller shares, or the
   * current keys at once when a refetch ran less than kidRefetchInterval ago.
   */
  public CompletableFuture<KeySet> refetchForUnknownKid() {
    synchronized (lock) {
      if (inFlight != null) {
        return inFlight;
      }
      Instant now = clock.instant();
      if (Duration.between(lastKidRefetch, now).compareTo(settings.kidRefetchInterval()) < 0) {
        return CompletableFuture.completedFuture(keys);
      }
      lastKidRefetch = now;
      return fetch(FetchTrigger.UNKNOWN_KID);
    }
  }

  private CompletableFuture<KeySet> fetch(FetchTrigger trigger) {
    synchronized (lock) {
      if (inFlight != null) {
        return inFlight;
      }
      CompletableFuture<KeySet> future = new CompletableFuture<>();
      inFlight = future;
      fetchThreads.execute(() -> run(trigger, future));
      return future;
    }
  }

  private void run(FetchTrigger trigger, CompletableFuture<KeySet> future) {
    Duration next = FIRST_RETRY;
    try {
      next = fetchOnce(trigger);
    } finally {
      // Whatever happened (even an Error), the next refresh is scheduled and every caller
      // waiting on this fetch is released: a stuck single-flight would fail every unknown kid.
      attempted = true;
      synchronized (lock) {
        inFlight = null;
        if (!closed) {
          if (nextRefresh != null) {
            nextRefresh.cancel(false);
          }
          nextRefresh = scheduler.schedule(() -> fetch(FetchTrigger.REFRESH), next.toMillis(), TimeUnit.MILLISECONDS);
        }
      }
      future.complete(keys);
    }
  }

  /** One fetch; returns when to refresh next (the retry delay after a failure). */
  private Duration fetchOnce(FetchTrigger trigger) {
    try {
      // An unknown kid means rotation; the JWKS URL it is published at does not change with it.
      JwksFetcher.Fetched fetched = trigger == FetchTrigger.UNKNOWN_KID && resolvedJwksUri.isPresent()
          ? fetcher.fetchJwks(resolvedJwksUri.get())
          : fetcher.fetch(source);
      if (fetched.keys().isEmpty()) {
        throw new JwksFetchException("the JWKS at " + fetched.jwksUri() + " holds no usable signing key");
      }
      keys = fetched.keys();
      resolvedJwksUri = Optional.of(fetched.jwksUri());
      lastSuccess = Optional.of(clock.instant());
      lastError = Optional.empty();
      Duration next = settings.refreshAfter(fetched.maxAge());
      synchronized (lock) {
        retryDelay = FIRST_RETRY;
      }
      listener.fetched(source, trigger, true);
      LOG.atInfo().addKeyValue("issuer", source.issuer()).addKeyValue("trigger", trigger.label())
          .addKeyValue("keys", fetched.keys().all().size()).addKeyValue("next_refresh", next).log("keys fetched");
      return next;
    } catch (JwksFetchException | RuntimeException e) {
      lastError = Optional.of(e.getMessage() == null ? e.toString() : e.getMessage());
      Duration next;
      synchronized (lock) {
        next = retryDelay;
        retryDelay = retryDelay.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : retryDelay.multipliedBy(2);
      }
      listener.fetched(source, trigger, false);
      LOG.atWarn().addKeyValue("issuer", source.issuer()).addKeyValue("trigger", trigger.label())
          .addKeyValue("retry_in", next).log("key fetch failed, keeping {} cached keys: {}", keys.all().size(), lastError.get());
      return next;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (nextRefresh != null) {
        nextRefresh.cancel(false);
      }
    }
  }
}
