package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import dev.embassy.config.model.Gateway;
import dev.embassy.controlplane.ir.HttpListener;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.extensions.compression.brotli.compressor.v3.Brotli;
import io.envoyproxy.envoy.extensions.compression.gzip.compressor.v3.Gzip;
import io.envoyproxy.envoy.extensions.compression.zstd.compressor.v3.Zstd;
import io.envoyproxy.envoy.extensions.filters.http.compressor.v3.Compressor;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * Response compression: one Envoy compressor filter per algorithm the gateway allows. The
 * compressors agree among themselves through Accept-Encoding: the client's highest q-value wins,
 * and among equal q-values the one marked choose_first, the algorithm the gateway lists first
 * (without it Envoy took gzip for "gzip, zstd, br" with brotli listed first).
 */
final class CompressionFeature implements HttpFilterFeature {
  @Override
  public OnListener on(HttpListener listener) {
    if (listener.options().compression().isEmpty()) {
      return OnListener.UNUSED;
    }
    Gateway.Compression compression = listener.options().compression().get();
    List<HttpFilter> filters = new ArrayList<>();
    for (Gateway.CompressionAlgorithm algorithm : compression.algorithms()) {
      filters.add(filter(algorithm, compression, algorithm == compression.algorithms().getFirst()));
    }
    return new OnListener(filters, (rule, route) -> {});
  }

  private static HttpFilter filter(Gateway.CompressionAlgorithm algorithm, Gateway.Compression compression, boolean preferred) {
    Compressor.CommonDirectionConfig.Builder common = Compressor.CommonDirectionConfig.newBuilder()
        .setMinContentLength(UInt32Value.of(compression.minBytes()))
        .addAllContentType(compression.contentTypes());
    Compressor config = Compressor.newBuilder()
        .setChooseFirst(preferred)
        .setResponseDirectionConfig(Compressor.ResponseDirectionConfig.newBuilder().setCommonConfig(common))
        .setCompressorLibrary(TypedExtensionConfig.newBuilder()
            .setName("envoy.compression." + algorithm.name() + ".compressor")
            .setTypedConfig(Any.pack(library(algorithm))))
        .build();
    return HttpFilter.newBuilder().setName("envoy.filters.http.compressor." + algorithm.name()).setTypedConfig(Any.pack(config)).build();
  }

  private static Message library(Gateway.CompressionAlgorithm algorithm) {
    return switch (algorithm) {
      case gzip -> Gzip.getDefaultInstance();
      case brotli -> Brotli.getDefaultInstance();
      case zstd -> Zstd.getDefaultInstance();
    };
  }
}
