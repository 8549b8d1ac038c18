package dev.embassy.controlplane.source;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.embassy.controlplane.ir.Cluster;
import dev.embassy.controlplane.ir.Endpoint;
import dev.embassy.controlplane.ir.GatewayConfig;
import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.Route;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a node group's config from a YAML file. This is the control plane's config source until
 * the Postgres store feeds it; the local stack uses it for its demo route.
 *
 * <pre>
 * nodeGroup: edge
 * listeners:
 *   - name: http
 *     address: 0.0.0.0
 *     port: 10000
 *     routes:
 *       - { name: demo, pathPrefix: /, cluster: demo }
 * clusters:
 *   - name: demo
 *     connectTimeout: 1s          # ms, s or m
 *     endpoints: [{ address: 127.0.0.1, port: 8088 }]
 * </pre>
 */
public final class StaticConfigFile {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          // A misspelt key must fail loudly rather than silently drop a setting.
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

  private StaticConfigFile() {}

  public static GatewayConfig read(Path file) throws IOException {
    FileDocument document = YAML.readValue(file.toFile(), FileDocument.class);
    try {
      return document.toConfig();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }

  static Duration duration(String text) {
    Matcher matcher = DURATION.matcher(text);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("duration '" + text + "' must look like 250ms, 1s or 2m");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      default -> Duration.ofMinutes(amount);
    };
  }

  record FileDocument(String nodeGroup, List<FileListener> listeners, List<FileCluster> clusters) {
    GatewayConfig toConfig() {
      return new GatewayConfig(
          nodeGroup,
          listeners.stream().map(FileListener::toListener).toList(),
          clusters.stream().map(FileCluster::toCluster).toList());
    }
  }

  record FileListener(String name, String address, int port, List<Route> routes) {
    HttpListener toListener() {
      return new HttpListener(name, address == null ? "0.0.0.0" : address, port, routes);
    }
  }

  record FileCluster(String name, String connectTimeout, List<Endpoint> endpoints) {
    Cluster toCluster() {
      return new Cluster(name, duration(connectTimeout == null ? "1s" : connectTimeout), endpoints);
    }
  }
}
