package dev.embassy.controlplane;

import java.nio.file.Path;
import java.util.Map;

/**
 * The control plane's settings, read from the environment. Every default is here and nowhere else.
 *
 * <table>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>EMBASSY_XDS_BIND</td><td>127.0.0.1</td><td>address the ADS server listens on; 0.0.0.0 in a cluster</td></tr>
 *   <tr><td>EMBASSY_XDS_PORT</td><td>18000</td><td>ADS port (state of the world and delta on one port)</td></tr>
 *   <tr><td>EMBASSY_STATIC_CONFIG</td><td>(required)</td><td>YAML file with the node group's listeners, routes and clusters</td></tr>
 * </table>
 */
public record ControlPlaneConfig(String xdsBind, int xdsPort, Path staticConfig) {

  public static ControlPlaneConfig fromEnvironment(Map<String, String> env) {
    String staticConfig = env.get("EMBASSY_STATIC_CONFIG");
    if (staticConfig == null || staticConfig.isBlank()) {
      throw new IllegalArgumentException("EMBASSY_STATIC_CONFIG must name the YAML config file to serve");
    }
    return new ControlPlaneConfig(
        env.getOrDefault("EMBASSY_XDS_BIND", "127.0.0.1"),
        port(env, "EMBASSY_XDS_PORT", 18000),
        Path.of(staticConfig));
  }

  private static int port(Map<String, String> env, String name, int fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(value.strip());
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(name + "=" + value + " is outside 1-65535");
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + "=" + value + " is not a port number", e);
    }
  }
}
