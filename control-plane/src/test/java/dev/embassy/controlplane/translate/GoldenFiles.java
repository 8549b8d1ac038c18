package dev.embassy.controlplane.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.controlplane.ir.NodeGroupBuilder;
import dev.embassy.controlplane.ir.NodeGroupConfig;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The translator's golden files: src/test/resources/golden/NAME.yaml is a config document (what
 * config:apply takes), NAME.json the Envoy resources it must produce per node group, in Envoy's
 * own JSON form; golden/mesh/NAME.yaml, when present, is the Consul Connect state it is translated
 * with ({@link GoldenMesh}). Set GOLDEN_UPDATE=1 to rewrite the .json files and review the diff.
 */
final class GoldenFiles {
  static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
      .add(HttpConnectionManager.getDescriptor())
      .add(Router.getDescriptor())
      .add(Cors.getDescriptor())
      .add(CorsPolicy.getDescriptor())
      .add(HttpProtocolOptions.getDescriptor())
      .add(UpstreamTlsContext.getDescriptor())
      .add(DownstreamTlsContext.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimitPerRoute.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.buffer.v3.Buffer.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.buffer.v3.BufferPerRoute.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.compressor.v3.Compressor.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.compression.gzip.compressor.v3.Gzip.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.compression.brotli.compressor.v3.Brotli.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.compression.zstd.compressor.v3.Zstd.getDescriptor())
      .add(io.envoyproxy.envoy.config.route.v3.FilterConfig.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.cache.v3.CacheConfig.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.http.cache.simple_http_cache.v3.SimpleHttpCacheConfig.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.grpc_web.v3.GrpcWeb.getDescriptor())
      .add(io.envoyproxy.envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder.getDescriptor())
      .build();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(TYPES).preservingProtoFieldNames();
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  static final String LISTENER_ADDRESS = "0.0.0.0";

  private GoldenFiles() {}

  static Path directory() {
    return Path.of("src/test/resources/golden").toAbsolutePath();
  }

  static List<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(directory())) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).map(n -> n.substring(0, n.length() - 5)).sorted().toList();
    }
  }

  static List<XdsResources> translate(String name) throws IOException {
    ConfigDocument document = ConfigJson.yaml().readValue(directory().resolve(name + ".yaml").toFile(), ConfigDocument.class);
    List<XdsResources> groups = new ArrayList<>();
    for (NodeGroupConfig group : NodeGroupBuilder.build(document, dev.embassy.controlplane.ir.TranslationSettings.defaults(LISTENER_ADDRESS),
        EndpointSource.NONE, GoldenMesh.of(directory(), name))) {
      groups.add(XdsTranslator.translate(group));
    }
    return groups;
  }

  static String render(List<XdsResources> groups) {
    ObjectNode root = JSON.createObjectNode();
    for (XdsResources group : groups) {
      ObjectNode node = root.putObject(group.nodeGroup());
      add(node.putArray("listeners"), group.listeners());
      add(node.putArray("routes"), group.routes());
      add(node.putArray("clusters"), group.clusters());
      add(node.putArray("endpoints"), group.endpoints());
      add(node.putArray("secrets"), group.secrets());
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String print(Message message) {
    try {
      return PRINTER.print(message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void add(ArrayNode array, List<? extends Message> messages) {
    for (Message message : messages) {
      try {
        JsonNode node = JSON.readTree(print(message));
        array.add(node);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
