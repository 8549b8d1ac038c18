package dev.embassy.ratelimit;

import dev.embassy.config.model.DurationText;
import dev.embassy.discovery.consul.ConsulDiscoveryConfig;
import dev.embassy.ratelimit.cluster.Member;
import dev.embassy.tracing.ServiceTracing;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rate-limit service's settings, read from the environment. Every default is here and nowhere
 * else.
 *
 * <table>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>EMBASSY_RATELIMIT_BIND</td><td>127.0.0.1</td><td>address the gRPC server (RLS, peer protocol, grpc.health.v1) listens on; 0.0.0.0 in a cluster</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_PORT</td><td>8081</td><td>gRPC port</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_GRPC_THREADS</td><td>number of cores</td><td>gRPC event-loop threads; RLS and peer calls are decided on them</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_STATUS_BIND / _STATUS_PORT</td><td>the gRPC bind address / 8082</td><td>/healthz, /readyz, /metrics</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_NODE_ID</td><td>host name:port</td><td>this node's id; ownership hashes on it, so keep it stable and unique</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_ADVERTISE_HOST</td><td>the bind address, or the host name when binding 0.0.0.0</td><td>address peers reach this node at (Consul registration)</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_PEERS</td><td>(none: a single node)</td><td>static membership: id@host:port,... for every node, this one included or not</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_CONSUL_ADDRESS</td><td>(none)</td><td>Consul agent HTTP address (e.g. http://127.0.0.1:8500); when set, nodes register there and find each other there instead of EMBASSY_RATELIMIT_PEERS</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_CONSUL_SERVICE</td><td>embassy-ratelimit</td><td>Consul service name the nodes register under</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_CONSUL_CHECK_INTERVAL</td><td>1s</td><td>interval of the gRPC health check Consul runs on each node</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_CONSUL_TOKEN, _WAIT, _RETRY_MIN, ...</td><td>see the discovery module's ConsulDiscoveryConfig</td><td>the Consul client's other settings, under this prefix</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_CONFIG_DIR</td><td>(none: policies come from the config store)</td><td>directory of envoyproxy/ratelimit YAML files to enforce instead of the store's policies</td></tr>
 *   <tr><td>EMBASSY_DATABASE_URL</td><td>jdbc:postgresql://127.0.0.1:5432/embassy</td><td>config store</td></tr>
 *   <tr><td>EMBASSY_DATABASE_USER / _PASSWORD</td><td>embassy / (empty)</td><td></td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_BATCH_WINDOW</td><td>500us</td><td>longest a forwarded hit waits for its batch (at most 500us)</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_BATCH_SIZE</td><td>1000</td><td>hits per forwarded batch at most</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_PEER_TIMEOUT</td><td>15ms</td><td>deadline of a forward to a key's owner (also bounded by Envoy's own deadline)</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_PROBE_INTERVAL</td><td>200ms</td><td>how often peers' health is probed; a probe times out after the same time</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_GLOBAL_SYNC_INTERVAL</td><td>100ms</td><td>how often global-mode counts are exchanged with key owners</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_SWEEP_INTERVAL</td><td>1s</td><td>how often misplaced counters are handed to their owner and idle ones dropped</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_WARMUP</td><td>3s</td><td>longest the node forwards synthetic hits to itself before it reports SERVING, so its first real forwards are not answered by a cold JVM (it stops earlier once the path is compiled); 0s turns it off</td></tr>
 *   <tr><td>OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)</td><td>(none: tracing off)</td><td>OTLP/gRPC receiver, e.g. http://otel-collector:4317; when set, every RLS call from Envoy is a server span in the trace it carries (traceparent); peer calls are not traced</td></tr>
 *   <tr><td>OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER, OTEL_BSP_*, OTEL_EXPORTER_OTLP_HEADERS, ...</td><td>embassy-ratelimit-service, parentbased_always_on, the SDK's</td><td>the OpenTelemetry SDK's other standard variables (service-tracing's ServiceTracing)</td></tr>
 * </table>
 */
public record RateLimitServiceConfig(
    String bind,
    int port,
    int grpcThreads,
    String statusBind,
    int statusPort,
    String nodeId,
    String advertiseHost,
    List<Member> peers,
    Optional<ConsulDiscoveryConfig> consul,
    String consulService,
    Duration consulCheckInterval,
    Optional<Path> configDir,
    String databaseUrl,
    String databaseUser,
    String databasePassword,
    Duration batchWindow,
    int batchSize,
    Duration peerTimeout,
    Duration probeInterval,
    Duration globalSyncInterval,
    Duration sweepInterval,
    Duration warmUp,
    Map<String, String> openTelemetry) {

  /** The bound on how long a forwarded hit may wait for its batch. */
  public static final Duration MAX_BATCH_WINDOW = Duration.ofNanos(500_000);

  public RateLimitServiceConfig {
    peers = List.copyOf(peers);
    openTelemetry = Map.copyOf(openTelemetry);
  }

  public static RateLimitServiceConfig fromEnvironment(Map<String, String> env) {
    String bind = text(env, "EMBASSY_RATELIMIT_BIND", "127.0.0.1");
    int port = port(env, "EMBASSY_RATELIMIT_PORT", 8081);
    String advertise = text(env, "EMBASSY_RATELIMIT_ADVERTISE_HOST", wildcard(bind) ? hostName() : bind);
    Duration batchWindow = duration(env, "EMBASSY_RATELIMIT_BATCH_WINDOW", "500us");
    if (batchWindow.compareTo(MAX_BATCH_WINDOW) > 0) {
      throw new IllegalArgumentException("EMBASSY_RATELIMIT_BATCH_WINDOW=" + env.get("EMBASSY_RATELIMIT_BATCH_WINDOW") + " exceeds 500us");
    }
    int batchSize = positive(env, "EMBASSY_RATELIMIT_BATCH_SIZE", 1000);
    Optional<String> configDir = optional(env, "EMBASSY_RATELIMIT_CONFIG_DIR");
    return new RateLimitServiceConfig(
        bind,
        port,
        positive(env, "EMBASSY_RATELIMIT_GRPC_THREADS", Runtime.getRuntime().availableProcessors()),
        text(env, "EMBASSY_RATELIMIT_STATUS_BIND", bind),
        port(env, "EMBASSY_RATELIMIT_STATUS_PORT", 8082),
        text(env, "EMBASSY_RATELIMIT_NODE_ID", hostName() + ":" + port),
        advertise,
        peers(env.getOrDefault("EMBASSY_RATELIMIT_PEERS", "")),
        optional(env, "EMBASSY_RATELIMIT_CONSUL_ADDRESS")
            .map(address -> ConsulDiscoveryConfig.fromEnvironment(env, "EMBASSY_RATELIMIT_CONSUL_")),
        text(env, "EMBASSY_RATELIMIT_CONSUL_SERVICE", "embassy-ratelimit"),
        positiveDuration(env, "EMBASSY_RATELIMIT_CONSUL_CHECK_INTERVAL", "1s"),
        configDir.map(Path::of),
        text(env, "EMBASSY_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/embassy"),
        text(env, "EMBASSY_DATABASE_USER", "embassy"),
        env.getOrDefault("EMBASSY_DATABASE_PASSWORD", ""),
        batchWindow,
        batchSize,
        positiveDuration(env, "EMBASSY_RATELIMIT_PEER_TIMEOUT", "15ms"),
        positiveDuration(env, "EMBASSY_RATELIMIT_PROBE_INTERVAL", "200ms"),
        positiveDuration(env, "EMBASSY_RATELIMIT_GLOBAL_SYNC_INTERVAL", "100ms"),
        positiveDuration(env, "EMBASSY_RATELIMIT_SWEEP_INTERVAL", "1s"),
        duration(env, "EMBASSY_RATELIMIT_WARMUP", "3s"),
        ServiceTracing.variables(env));
  }

  public Member self() {
    return new Member(nodeId, advertiseHost, port);
  }

  private static List<Member> peers(String text) {
    List<Member> peers = new ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        try {
          peers.add(Member.parse(part));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("EMBASSY_RATELIMIT_PEERS: " + e.getMessage(), e);
        }
      }
    }
    return peers;
  }

  private static String text(Map<String, String> env, String name, String fallback) {
    return optional(env, name).orElse(fallback);
  }

  private static Optional<String> optional(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }

  private static boolean wildcard(String bind) {
    return bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]");
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** A duration such as 500us, 15ms, 1s or 1m (GEP-2257 text plus microseconds). */
  private static Duration duration(Map<String, String> env, String name, String fallback) {
    String text = text(env, name, fallback);
    Optional<Duration> parsed = text.matches("\\d{1,9}(us|µs)")
        ? Optional.of(Duration.ofNanos(Long.parseLong(text.replaceAll("\\D", "")) * 1_000))
        : DurationText.parse(text);
    return parsed.orElseThrow(() -> new IllegalArgumentException(name + "=" + text + " is not a duration such as 500us, 15ms or 1s"));
  }

  private static Duration positiveDuration(Map<String, String> env, String name, String fallback) {
    Duration value = duration(env, name, fallback);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return value;
  }

  private static int positive(Map<String, String> env, String name, int fallback) {
    Optional<String> value = optional(env, name);
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.get());
      if (parsed <= 0) {
        throw new IllegalArgumentException(name + "=" + value.get() + " must be positive");
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + "=" + value.get() + " is not a number", e);
    }
  }

  private static int port(Map<String, String> env, String name, int fallback) {
    Optional<String> value = optional(env, name);
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(value.get());
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(name + "=" + value.get() + " is outside 0-65535");
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + "=" + value.get() + " is not a port number", e);
    }
  }
}
