package dev.embassy.controlplane;

import dev.embassy.config.model.DurationText;
import java.time.Duration;
import dev.embassy.controlplane.ir.ServiceAddress;
import dev.embassy.discovery.consul.ConsulDiscoveryConfig;
import dev.embassy.controlplane.ir.TranslationSettings;
import dev.embassy.controlplane.xds.XdsSecurityConfig;
import java.util.List;
import java.util.Map;

/**
 * The control plane's settings, read from the environment. Every default is here and nowhere else.
 *
 * <table>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>EMBASSY_XDS_BIND</td><td>127.0.0.1</td><td>address the ADS server listens on; 0.0.0.0 in a cluster</td></tr>
 *   <tr><td>EMBASSY_XDS_PORT</td><td>18000</td><td>ADS port (state of the world and delta on one port)</td></tr>
 *   <tr><td>EMBASSY_XDS_TLS_*, EMBASSY_XDS_TRUST_DOMAIN, EMBASSY_XDS_NODE_TOKENS</td><td>see {@link XdsSecurityConfig}</td><td>TLS, mTLS and node group binding on the ADS port; plaintext when unset</td></tr>
 *   <tr><td>EMBASSY_DATABASE_URL</td><td>jdbc:postgresql://127.0.0.1:5432/embassy</td><td>config database</td></tr>
 *   <tr><td>EMBASSY_DATABASE_USER / _PASSWORD</td><td>embassy / (empty)</td><td></td></tr>
 *   <tr><td>EMBASSY_LISTENER_ADDRESS</td><td>0.0.0.0</td><td>address Envoy listeners bind</td></tr>
 *   <tr><td>EMBASSY_DEBOUNCE</td><td>10ms</td><td>how long to gather further revisions before translating</td></tr>
 *   <tr><td>EMBASSY_STATUS_BIND / EMBASSY_STATUS_PORT</td><td>127.0.0.1 / 18080</td><td>/healthz, /readyz and /metrics</td></tr>
 *   <tr><td>EMBASSY_CONSUL_*</td><td>see discovery's ConsulDiscoveryConfig</td><td>the Consul agent clusters with consul discovery are watched on (address http://127.0.0.1:8500, token, wait, pacing)</td></tr>
 *   <tr><td>EMBASSY_CONNECT_DEFAULT_INTENTION</td><td>allow</td><td>what Consul Connect sidecars do with a caller no intention names: Consul's
 *       default intention policy, which follows the ACL default policy (allow with ACLs off, as on a dev agent); set it to match the cluster's</td></tr>
 *   <tr><td>EMBASSY_REPLICA_ID</td><td>host:xDS port</td><td>this replica's name in proxy status</td></tr>
 *   <tr><td>EMBASSY_AUTH_SERVICE</td><td>127.0.0.1:9191</td><td>auth-service address(es) Envoy's ext_authz filter calls (host:port, comma-separated)</td></tr>
 *   <tr><td>EMBASSY_RATELIMIT_SERVICE</td><td>127.0.0.1:8081</td><td>ratelimit-service address(es) Envoy's rate-limit filter calls; any node of a cluster answers</td></tr>
 * </table>
 */
public record ControlPlaneConfig(
    String xdsBind, int xdsPort, String databaseUrl, String databaseUser, String databasePassword,
    String listenerAddress, Duration debounce, String statusBind, int statusPort,
    List<ServiceAddress> authService, List<ServiceAddress> rateLimitService, String replicaId, ConsulDiscoveryConfig consul,
    XdsSecurityConfig xdsSecurity, boolean connectDefaultAllow) {

  public TranslationSettings translationSettings() {
    return new TranslationSettings(listenerAddress, authService, rateLimitService);
  }

  public static ControlPlaneConfig fromEnvironment(Map<String, String> env) {
    String debounce = env.getOrDefault("EMBASSY_DEBOUNCE", "10ms");
    return new ControlPlaneConfig(
        env.getOrDefault("EMBASSY_XDS_BIND", "127.0.0.1"),
        port(env, "EMBASSY_XDS_PORT", 18000),
        env.getOrDefault("EMBASSY_DATABASE_URL", "jdbc:postgresql://127.0.0.1:5432/embassy"),
        env.getOrDefault("EMBASSY_DATABASE_USER", "embassy"),
        env.getOrDefault("EMBASSY_DATABASE_PASSWORD", ""),
        env.getOrDefault("EMBASSY_LISTENER_ADDRESS", "0.0.0.0"),
        "0ms".equals(debounce) ? Duration.ZERO : DurationText.parse(debounce)
            .orElseThrow(() -> new IllegalArgumentException("EMBASSY_DEBOUNCE=" + debounce + " is not a duration such as 10ms")),
        env.getOrDefault("EMBASSY_STATUS_BIND", "127.0.0.1"),
        port(env, "EMBASSY_STATUS_PORT", 18080),
        addresses(env, "EMBASSY_AUTH_SERVICE", TranslationSettings.DEFAULT_AUTH_SERVICE),
        addresses(env, "EMBASSY_RATELIMIT_SERVICE", TranslationSettings.DEFAULT_RATELIMIT_SERVICE),
        replicaId(env),
        ConsulDiscoveryConfig.fromEnvironment(env, "EMBASSY_CONSUL_"),
        XdsSecurityConfig.fromEnvironment(env),
        defaultIntention(env));
  }

  private static boolean defaultIntention(Map<String, String> env) {
    String value = env.getOrDefault("EMBASSY_CONNECT_DEFAULT_INTENTION", "allow").strip();
    return switch (value) {
      case "allow" -> true;
      case "deny" -> false;
      default -> throw new IllegalArgumentException("EMBASSY_CONNECT_DEFAULT_INTENTION=" + value + " must be allow or deny");
    };
  }

  /** Names this replica in proxy status: EMBASSY_REPLICA_ID, else host and xDS port. */
  private static String replicaId(Map<String, String> env) {
    String configured = env.get("EMBASSY_REPLICA_ID");
    if (configured != null && !configured.isBlank()) {
      return configured.strip();
    }
    String port = env.getOrDefault("EMBASSY_XDS_PORT", "18000");
    try {
      return java.net.InetAddress.getLocalHost().getHostName() + ":" + port;
    } catch (java.net.UnknownHostException e) {
      return "replica-" + ProcessHandle.current().pid() + ":" + port;
    }
  }

  private static List<ServiceAddress> addresses(Map<String, String> env, String name, List<ServiceAddress> fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      List<ServiceAddress> parsed = ServiceAddress.parseList(value);
      if (parsed.isEmpty()) {
        throw new IllegalArgumentException("no address");
      }
      return parsed;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + "=" + value + ": " + e.getMessage() + " (expected host:port[,host:port...])", e);
    }
  }

  private static int port(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(value.strip());
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(name + "=" + value + " is outside 0-65535");
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + "=" + value + " is not a port number", e);
    }
  }
}
