package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import dev.embassy.controlplane.ir.GrpcTranscoding;
import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.RouteRule;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * REST to gRPC: Envoy's gRPC-JSON transcoder. The descriptor set is carried once per listener,
 * not per route (a set can be a megabyte and a listener can have thousands of routes): each
 * distinct transcoding on the listener is one transcoder, and every route that does not use it
 * turns it off with a per-route {@link FilterConfig} {@code disabled}. (The other way round, off
 * on the listener and on per route, would need the whole config again on each route: Envoy refuses
 * an empty per-route config that enables a filter.)
 *
 * <p>{@code match_incoming_request_route} keeps the route the REST request matched, so the rule's
 * own backends get the gRPC call (by default Envoy re-routes on the rewritten
 * {@code /package.Service/Method} path). Requests no binding maps are answered 404 instead of
 * reaching a gRPC backend as HTTP/1 JSON, and gRPC errors come back as JSON with the mapped HTTP
 * status.
 */
final class GrpcJsonTranscodingFeature implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.grpc_json_transcoder";

  @Override
  public OnListener on(HttpListener listener) {
    Map<GrpcTranscoding, String> names = new LinkedHashMap<>();
    Map<String, Integer> perSet = new java.util.HashMap<>();
    List<HttpFilter> filters = new ArrayList<>();
    listener.virtualHosts().stream().flatMap(h -> h.routes().stream()).map(RouteRule::transcoding).flatMap(Optional::stream)
        .distinct()
        .sorted(java.util.Comparator.comparing(GrpcTranscoding::descriptorSet).thenComparing(t -> String.join(",", t.services()))
            .thenComparing(GrpcTranscoding::autoMapping))
        .forEach(t -> {
          // The first transcoding of a set is named after it; others of the same set get an ordinal.
          int ordinal = perSet.merge(t.descriptorSet(), 1, Integer::sum);
          String name = FILTER + "/" + t.descriptorSet() + (ordinal == 1 ? "" : "/" + ordinal);
          names.put(t, name);
          filters.add(HttpFilter.newBuilder().setName(name).setTypedConfig(Any.pack(transcoder(t))).build());
        });
    if (filters.isEmpty()) {
      return OnListener.UNUSED;
    }
    Any off = Any.pack(FilterConfig.newBuilder().setDisabled(true).build());
    return new OnListener(filters, (rule, route) -> names.forEach((t, name) -> {
      if (!rule.transcoding().map(t::equals).orElse(false)) {
        route.putTypedPerFilterConfig(name, off);
      }
    }));
  }

  private static GrpcJsonTranscoder transcoder(GrpcTranscoding t) {
    return GrpcJsonTranscoder.newBuilder()
        .setProtoDescriptorBin(t.descriptor())
        .addAllServices(t.services())
        .setAutoMapping(t.autoMapping())
        .setMatchIncomingRequestRoute(true)
        .setConvertGrpcStatus(true)
        .setRequestValidationOptions(GrpcJsonTranscoder.RequestValidationOptions.newBuilder().setRejectUnknownMethod(true))
        .build();
  }
}
