package dev.embassy.discovery.consul;

import java.time.Duration;

/** The timing of one watch loop, from {@link ConsulDiscoveryConfig}. */
record WatchPace(Duration blockingWait, int burst, Duration interval, Duration retryMin, Duration retryMax) {
  static WatchPace of(ConsulDiscoveryConfig config) {
    return new WatchPace(config.blockingWait(), config.queryBurst(), config.queryInterval(), config.retryMin(), config.retryMax());
  }
}
