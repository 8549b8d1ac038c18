package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import dev.embassy.config.model.Route;
import dev.embassy.controlplane.ir.HttpListener;
import io.envoyproxy.envoy.extensions.filters.http.buffer.v3.Buffer;
import io.envoyproxy.envoy.extensions.filters.http.buffer.v3.BufferPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;

/**
 * Request body limits, answered 413: Envoy's buffer filter, which reads the body up to the limit
 * before passing the request on. It is disabled on the listener and enabled only on routes with a
 * RequestBodyLimit filter, so no other route buffers anything.
 */
final class RequestBodyLimitFeature implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.buffer";

  private static final HttpFilter HTTP_FILTER = HttpFilter.newBuilder().setName(FILTER)
      // The listener-level limit never applies (the filter is off there) but the field is required.
      .setTypedConfig(Any.pack(Buffer.newBuilder().setMaxRequestBytes(UInt32Value.of(1)).build()))
      .setDisabled(true)
      .build();

  @Override
  public OnListener on(HttpListener listener) {
    return HttpFilterFeature.perRoute(listener, HTTP_FILTER, Route.Filter::requestBodyLimit, limit -> BufferPerRoute.newBuilder()
        .setBuffer(Buffer.newBuilder().setMaxRequestBytes(UInt32Value.of(limit.maxBytes()))).build());
  }
}
