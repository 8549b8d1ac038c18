package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import dev.embassy.controlplane.ir.HttpListener;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;

/** Builds the Listener for an HTTP listener: one HTTP connection manager fed by RDS over ADS. */
final class ListenerTranslator {
  private ListenerTranslator() {}

  static Listener listener(HttpListener listener, HttpFilters filters) {
    HttpConnectionManager.Builder hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix(listener.name())
            .setRds(
                Rds.newBuilder()
                    .setConfigSource(ConfigSources.ads())
                    // One RouteConfiguration per listener, named after it, so a route change
                    // re-sends only that listener's routes and never the Listener itself.
                    .setRouteConfigName(listener.name()))
            // Routes match on the normalised path: otherwise /a/../admin or //admin could slip past
            // a prefix match (and past ext_authz, which sees the raw path).
            .setNormalizePath(BoolValue.of(true))
            .setMergeSlashes(true)
            .setPathWithEscapedSlashesAction(HttpConnectionManager.PathWithEscapedSlashesAction.UNESCAPE_AND_REDIRECT)
            // The edge is where client addresses are known; XFF from clients is not trusted, unless
            // the gateway says how many proxies of its own stand in front.
            .setUseRemoteAddress(BoolValue.of(true))
            .setXffNumTrustedHops(listener.options().trustedHops())
            // Envoy would otherwise add "server: envoy"; with PASS_THROUGH routes strip the
            // upstream's Server header (RouteExtrasTranslator), so nothing names the software.
            .setServerHeaderTransformation(HttpConnectionManager.ServerHeaderTransformation.PASS_THROUGH)
            // Every request gets an x-request-id (a client's own is replaced at the edge, where it
            // cannot be trusted), the backend and ext_authz see it, and the client gets it back:
            // the one key that joins the access log, auth-service's log and the backend's.
            .setGenerateRequestId(BoolValue.of(true))
            .setAlwaysSetRequestIdInResponse(true)
            // Gateway API hostnames match the Host header without its port: a client of a
            // listener on :10000 sends "api.example.com:10000", which must reach api.example.com.
            .setStripAnyHostPort(true);
    listener.options().timeouts().ifPresent(timeouts -> {
      timeouts.idle().ifPresent(t -> hcm.setCommonHttpProtocolOptions(
          io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions.newBuilder().setIdleTimeout(duration(t))));
      timeouts.streamIdle().ifPresent(t -> hcm.setStreamIdleTimeout(duration(t)));
      timeouts.requestHeaders().ifPresent(t -> hcm.setRequestHeadersTimeout(duration(t)));
    });
    DownstreamTlsTranslator.forwardClientCertificate(listener, hcm);
    listener.options().accessLog().ifPresent(log -> hcm.addAccessLog(AccessLogTranslator.accessLog(log)));
    if (listener.mesh().isPresent()) {
      // The app learns its verified caller from x-forwarded-client-cert (URI=<SPIFFE ID>); one a
      // caller sent itself is replaced, never passed on.
      hcm.setForwardClientCertDetails(HttpConnectionManager.ForwardClientCertDetails.SANITIZE_SET)
          .setSetCurrentClientCertDetails(HttpConnectionManager.SetCurrentClientCertDetails.newBuilder().setUri(true));
    }
    hcm.addAllHttpFilters(filters.filters());
    FilterChain.Builder chain = FilterChain.newBuilder()
        .addFilters(Filter.newBuilder().setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm.build())));
    if (listener.tls()) {
      chain.setTransportSocket(DownstreamTlsTranslator.transportSocket(listener));
    }
    listener.mesh().ifPresent(mesh -> chain.setTransportSocket(MeshTlsTranslator.downstream(mesh.identity())));
    return Listener.newBuilder()
        .setName(listener.name())
        .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(listener.address()).setPortValue(listener.port())))
        .addFilterChains(chain)
        .build();
  }

  private static com.google.protobuf.Duration duration(String text) {
    return com.google.protobuf.util.Durations.fromMillis(dev.embassy.config.model.DurationText.of(text).toMillis());
  }
}
