package dev.embassy.discovery.consul;

import dev.embassy.discovery.ServiceQuery;
import java.util.Optional;

/**
 * What a {@link BlockingWatch} reports as it runs: service discovery counts per service
 * ({@link DiscoveryMetrics}), Connect per watch ({@link ConnectMetrics}).
 */
interface WatchMeters {
  void queryStarted();

  void queryFinished();

  /** A request failed; {@code query} is the watch's service query, if it has one. */
  void watchError(Optional<ServiceQuery> query);

  /** A result differed from the last. */
  void changed(Optional<ServiceQuery> query);
}
