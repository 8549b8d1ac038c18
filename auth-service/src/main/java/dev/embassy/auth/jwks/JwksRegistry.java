package dev.embassy.auth.jwks;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One {@link ProviderKeys} per key source, shared by every policy that trusts the same issuer at
 * the same URL and kept across policy changes, so a config change neither refetches keys nor
 * invalidates cached tokens.
 */
public final class JwksRegistry implements AutoCloseable {
  private final JwksFetcher fetcher;
  private final FetchSettings settings;
  private final FetchListener listener;
  private final Clock clock;
  private final Map<KeySource, ProviderKeys> providers = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("jwks-refresh").daemon().factory());
  private final ExecutorService fetchThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("jwks-fetch-", 0).factory());

  public JwksRegistry(FetchSettings settings, FetchListener listener, Clock clock) {
    this.fetcher = new JwksFetcher(settings);
    this.settings = settings;
    this.listener = listener;
    this.clock = clock;
  }

  /** The keys for {@code source}, starting their first fetch if they are new. */
  public ProviderKeys keys(KeySource source) {
    return providers.computeIfAbsent(source, s -> new ProviderKeys(s, fetcher, settings, scheduler, fetchThreads, listener, clock).start());
  }

  /** Stops refreshing every source not in {@code inUse}. */
  public void retain(Set<KeySource> inUse) {
    providers.entrySet().removeIf(entry -> {
      if (inUse.contains(entry.getKey())) {
        return false;
      }
      entry.getValue().close();
      return true;
    });
  }

  public List<ProviderKeys.State> states() {
    return providers.values().stream().map(ProviderKeys::state).toList();
  }

  @Override
  public void close() {
    providers.values().forEach(ProviderKeys::close);
    scheduler.shutdownNow();
    fetchThreads.shutdownNow();
  }
}
