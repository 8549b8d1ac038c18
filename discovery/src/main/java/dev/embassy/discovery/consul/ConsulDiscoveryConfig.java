package dev.embassy.discovery.consul;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How to reach Consul and pace the watches, read from the environment under a prefix
 * ({@code EMBASSY_CONSUL_} for the control plane, {@code EMBASSY_RATELIMIT_CONSUL_} for
 * ratelimit-service). Every default is here and nowhere else.
 *
 * <table>
 *   <tr><th>variable (after the prefix)</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>ADDRESS</td><td>http://127.0.0.1:8500</td><td>the Consul agent's HTTP API</td></tr>
 *   <tr><td>TOKEN</td><td>(none)</td><td>ACL token, sent as X-Consul-Token; never logged</td></tr>
 *   <tr><td>WAIT</td><td>5m</td><td>blocking-query wait (max 10m); each query waits up to 1/16 less, at random</td></tr>
 *   <tr><td>QUERY_BURST</td><td>5</td><td>queries one watch may send back to back ...</td></tr>
 *   <tr><td>QUERY_INTERVAL</td><td>100ms</td><td>... then at most one per interval (rate limit against tight loops)</td></tr>
 *   <tr><td>RETRY_MIN / RETRY_MAX</td><td>100ms / 5s</td><td>retry backoff after a failed query: doubling, capped, jittered</td></tr>
 *   <tr><td>CONNECT_TIMEOUT</td><td>2s</td><td>TCP connect timeout</td></tr>
 *   <tr><td>REQUEST_TIMEOUT</td><td>10s</td><td>timeout of non-blocking requests (register, deregister, TTL updates)</td></tr>
 *   <tr><td>MAX_CONNECTIONS</td><td>1024</td><td>HTTP connections to the agent; each watch holds one while it blocks.
 *       Consul's own limit, {@code limits.http_max_conns_per_client}, defaults to 200 and must be raised above the number of watched queries</td></tr>
 * </table>
 */
public record ConsulDiscoveryConfig(
    URI address, Optional<String> token, Duration blockingWait, int queryBurst, Duration queryInterval,
    Duration retryMin, Duration retryMax, Duration connectTimeout, Duration requestTimeout, int maxConnections) {

  public static final String DEFAULT_PREFIX = "EMBASSY_CONSUL_";
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  public ConsulDiscoveryConfig {
    String scheme = address.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme) || address.getHost() == null) {
      throw new IllegalArgumentException("Consul address must be http(s)://host[:port], got " + address);
    }
    token = token.filter(t -> !t.isBlank());
    if (blockingWait.compareTo(Duration.ofSeconds(1)) < 0 || blockingWait.compareTo(BlockingWait.MAX) > 0) {
      throw new IllegalArgumentException("wait must be between 1s and 10m (Consul's maximum), got " + blockingWait);
    }
    if (queryBurst < 1 || maxConnections < 1) {
      throw new IllegalArgumentException("query burst and max connections must be at least 1");
    }
    if (retryMin.isZero() || retryMax.compareTo(retryMin) < 0) {
      throw new IllegalArgumentException("need 0 < retry min <= retry max, got " + retryMin + " and " + retryMax);
    }
  }

  /** The defaults, for an agent at {@code address}. */
  public static ConsulDiscoveryConfig defaults(URI address) {
    return fromEnvironment(Map.of(DEFAULT_PREFIX + "ADDRESS", address.toString()), DEFAULT_PREFIX);
  }

  public static ConsulDiscoveryConfig fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env, DEFAULT_PREFIX);
  }

  public static ConsulDiscoveryConfig fromEnvironment(Map<String, String> env, String prefix) {
    return new ConsulDiscoveryConfig(
        URI.create(text(env, prefix + "ADDRESS", "http://127.0.0.1:8500")),
        Optional.ofNullable(env.get(prefix + "TOKEN")),
        duration(env, prefix + "WAIT", "5m"),
        integer(env, prefix + "QUERY_BURST", 5),
        duration(env, prefix + "QUERY_INTERVAL", "100ms"),
        duration(env, prefix + "RETRY_MIN", "100ms"),
        duration(env, prefix + "RETRY_MAX", "5s"),
        duration(env, prefix + "CONNECT_TIMEOUT", "2s"),
        duration(env, prefix + "REQUEST_TIMEOUT", "10s"),
        integer(env, prefix + "MAX_CONNECTIONS", 1024));
  }

  /** Same settings, a different pace; for tests and benchmarks that need faster retries. */
  public ConsulDiscoveryConfig withRetry(Duration min, Duration max) {
    return new ConsulDiscoveryConfig(address, token, blockingWait, queryBurst, queryInterval, min, max, connectTimeout, requestTimeout, maxConnections);
  }

  public ConsulDiscoveryConfig withMaxConnections(int connections) {
    return new ConsulDiscoveryConfig(address, token, blockingWait, queryBurst, queryInterval, retryMin, retryMax, connectTimeout, requestTimeout, connections);
  }

  /** The socket timeout of blocking reads: Consul may hold one for wait + wait/16 before answering. */
  Duration blockingReadTimeout() {
    return blockingWait.plus(blockingWait.dividedBy(16)).plusSeconds(10);
  }

  @Override
  public String toString() {
    // The token stays out of logs.
    return "ConsulDiscoveryConfig[address=%s, token=%s, wait=%s, queryBurst=%d, queryInterval=%s, retry=%s..%s, connectTimeout=%s, requestTimeout=%s, maxConnections=%d]"
        .formatted(address, token.isPresent() ? "(set)" : "(none)", blockingWait, queryBurst, queryInterval, retryMin, retryMax,
            connectTimeout, requestTimeout, maxConnections);
  }

  private static String text(Map<String, String> env, String name, String fallback) {
    String value = env.get(name);
    return value == null || value.isBlank() ? fallback : value.strip();
  }

  private static int integer(Map<String, String> env, String name, int fallback) {
    String value = text(env, name, Integer.toString(fallback));
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + "=" + value + " is not an integer", e);
    }
  }

  private static Duration duration(Map<String, String> env, String name, String fallback) {
    String value = text(env, name, fallback);
    Matcher m = DURATION.matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException(name + "=" + value + " is not a duration such as 100ms, 2s, 5m or 1h");
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
  }
}
