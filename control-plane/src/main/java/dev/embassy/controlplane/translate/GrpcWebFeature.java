package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import dev.embassy.controlplane.ir.HttpListener;
import io.envoyproxy.envoy.extensions.filters.http.grpc_web.v3.GrpcWeb;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;

/**
 * gRPC-Web for browsers: Envoy's grpc_web filter turns a gRPC-Web request into gRPC (HTTP/2,
 * trailers) and the reply back, with trailers in the body. On the listener only where some rule
 * has {@code grpcWeb: true}, and turned off on every other route there, so no other route sees a
 * gRPC-Web request rewritten.
 */
final class GrpcWebFeature implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.grpc_web";

  private static final HttpFilter HTTP_FILTER =
      HttpFilter.newBuilder().setName(FILTER).setTypedConfig(Any.pack(GrpcWeb.getDefaultInstance())).build();

  @Override
  public OnListener on(HttpListener listener) {
    return HttpFilterFeature.onlyWhere(listener, HTTP_FILTER, rule -> rule.rule().grpcWeb());
  }
}
