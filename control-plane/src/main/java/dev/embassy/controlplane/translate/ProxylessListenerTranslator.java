package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import dev.embassy.controlplane.ir.ClientListener;
import dev.embassy.controlplane.ir.RouteRule;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;

/**
 * What a gRPC client dialling {@code xds:///<name>} looks up (gRFC A27): a Listener of exactly
 * that name holding an {@code api_listener} with an HttpConnectionManager, whose routes come over
 * RDS on the same ADS stream, in a RouteConfiguration of the same name with one virtual host for
 * the name. The connection manager carries nothing but RDS and the filters: grpc-java NACKs
 * xff_num_trusted_hops and original-IP detection, and ignores the rest of what an Envoy's has.
 */
final class ProxylessListenerTranslator {
  private ProxylessListenerTranslator() {}

  static XdsTranslator.ListenerResources translate(ClientListener client) {
    HttpFilters filters = HttpFilters.forClients(client);
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        // gRPC ignores it; set because Envoy's schema requires it of every connection manager.
        .setStatPrefix(client.name())
        .setRds(Rds.newBuilder().setConfigSource(ConfigSources.ads()).setRouteConfigName(client.name()))
        .addAllHttpFilters(filters.filters())
        .build();
    Listener listener = Listener.newBuilder()
        .setName(client.name())
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm)))
        .build();
    VirtualHost.Builder host = VirtualHost.newBuilder()
        .setName(client.virtualHost().name())
        .addAllDomains(client.virtualHost().domains());
    for (RouteRule rule : client.routes()) {
      host.addRoutes(ProxylessRouteTranslator.forClients(RouteConfigurationTranslator.route(rule, filters)));
    }
    RouteConfiguration routes = RouteConfiguration.newBuilder().setName(client.name()).addVirtualHosts(host).build();
    return new XdsTranslator.ListenerResources(listener, routes);
  }
}
