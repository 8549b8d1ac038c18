package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Renders one node group's dynamic resources as an equivalent static bootstrap, so that a real
 * {@code envoy --mode validate} can check them: RDS becomes an inline route_config, EDS clusters
 * become STATIC clusters carrying their assignment, server certificates are inlined, and CA
 * secrets become static secrets.
 */
public final class StaticBootstrap {
  private StaticBootstrap() {}

  private static io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext validation(Map<String, Secret> secrets,
      String name) {
    Secret secret = secrets.get(name);
    if (secret == null) {
      throw new IllegalStateException("missing secret " + name);
    }
    return secret.getValidationContext();
  }

  public static String render(XdsResources resources) throws InvalidProtocolBufferException {
    Map<String, RouteConfiguration> routes = resources.routes().stream().collect(Collectors.toMap(RouteConfiguration::getName, Function.identity()));
    Map<String, ClusterLoadAssignment> assignments = resources.endpoints().stream().collect(Collectors.toMap(ClusterLoadAssignment::getClusterName, Function.identity()));
    Map<String, Secret> secrets = resources.secrets().stream().collect(Collectors.toMap(Secret::getName, Function.identity()));

    Bootstrap.StaticResources.Builder statics = Bootstrap.StaticResources.newBuilder();
    for (Listener listener : resources.listeners()) {
      if (listener.hasApiListener()) {
        // A proxyless gRPC client's listener: never sent to an Envoy (ProxylessRules keeps Envoys
        // out of such node groups); the grpc-java client in ProxylessGrpcIT is what accepts it.
        continue;
      }
      Listener.Builder inline = listener.toBuilder().clearFilterChains();
      for (FilterChain chain : listener.getFilterChainsList()) {
        FilterChain.Builder newChain = chain.toBuilder().clearFilters();
        if (chain.getTransportSocket().getTypedConfig().is(DownstreamTlsContext.class)) {
          DownstreamTlsContext tls = chain.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
          var common = tls.getCommonTlsContext().toBuilder().clearTlsCertificateSdsSecretConfigs();
          for (var sds : tls.getCommonTlsContext().getTlsCertificateSdsSecretConfigsList()) {
            Secret secret = secrets.get(sds.getName());
            if (secret == null) {
              throw new IllegalStateException("missing secret " + sds.getName());
            }
            common.addTlsCertificates(secret.getTlsCertificate());
          }
          if (common.hasValidationContextSdsSecretConfig()) {
            common.setValidationContext(validation(secrets, common.getValidationContextSdsSecretConfig().getName()))
                .clearValidationContextSdsSecretConfig();
          }
          newChain.setTransportSocket(chain.getTransportSocket().toBuilder()
              .setTypedConfig(Any.pack(tls.toBuilder().setCommonTlsContext(staticTrust(common.build(), secrets)).build())));
        }
        for (Filter filter : chain.getFiltersList()) {
          if (filter.getTypedConfig().is(HttpConnectionManager.class)) {
            HttpConnectionManager hcm = filter.getTypedConfig().unpack(HttpConnectionManager.class);
            RouteConfiguration config = routes.get(hcm.getRds().getRouteConfigName());
            if (config == null) {
              throw new IllegalStateException("missing RouteConfiguration " + hcm.getRds().getRouteConfigName());
            }
            filter = filter.toBuilder().setTypedConfig(Any.pack(hcm.toBuilder().clearRds().setRouteConfig(config).build())).build();
          }
          newChain.addFilters(filter);
        }
        inline.addFilterChains(newChain);
      }
      statics.addListeners(inline);
    }
    for (Cluster cluster : resources.clusters()) {
      Cluster.Builder inline = cluster.toBuilder();
      if (cluster.getType() == Cluster.DiscoveryType.EDS) {
        ClusterLoadAssignment assignment = assignments.get(cluster.getEdsClusterConfig().getServiceName());
        if (assignment == null) {
          throw new IllegalStateException("missing ClusterLoadAssignment for " + cluster.getName());
        }
        // Envoy resolves names in STATIC clusters only as IP addresses; STRICT_DNS takes both.
        inline.clearEdsClusterConfig()
            .setType(assignment.getEndpointsList().stream().flatMap(l -> l.getLbEndpointsList().stream())
                .allMatch(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress().matches("[0-9.:]+"))
                ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
            .setLoadAssignment(assignment);
      }
      if (cluster.getTransportSocket().getTypedConfig().is(UpstreamTlsContext.class)) {
        UpstreamTlsContext tls = cluster.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
        var common = tls.getCommonTlsContext();
        // A Connect cluster presents a client certificate: inline it; the trust (an SDS CA, alone or
        // combined with SAN matchers) becomes a static secret below.
        var certificates = common.toBuilder().clearTlsCertificateSdsSecretConfigs();
        for (var sds : common.getTlsCertificateSdsSecretConfigsList()) {
          Secret secret = secrets.get(sds.getName());
          if (secret == null) {
            throw new IllegalStateException("missing secret " + sds.getName());
          }
          certificates.addTlsCertificates(secret.getTlsCertificate());
        }
        UpstreamTlsContext resolved = tls.toBuilder().setCommonTlsContext(staticTrust(certificates.build(), secrets)).build();
        inline.setTransportSocket(cluster.getTransportSocket().toBuilder().setTypedConfig(Any.pack(resolved)));
      }
      statics.addClusters(inline);
    }
    // CA secrets stay secrets, as static ones: a combined validation context then merges them
    // with its matchers exactly as it does over SDS.
    resources.secrets().stream().filter(Secret::hasValidationContext).forEach(statics::addSecrets);
    Bootstrap bootstrap = Bootstrap.newBuilder()
        .setNode(io.envoyproxy.envoy.config.core.v3.Node.newBuilder().setId("validate").setCluster(resources.nodeGroup()))
        .setAdmin(io.envoyproxy.envoy.config.bootstrap.v3.Admin.newBuilder()
            .setAddress(Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(0))))
        .setStaticResources(statics)
        .build();
    return GoldenFiles.print(bootstrap);
  }

  /** Points validation-context SDS references at static secrets (a name without an sds_config). */
  private static CommonTlsContext staticTrust(CommonTlsContext common, Map<String, Secret> secrets) {
    CommonTlsContext.Builder builder = common.toBuilder();
    if (common.hasValidationContextSdsSecretConfig()) {
      builder.setValidationContextSdsSecretConfig(staticSecret(common.getValidationContextSdsSecretConfig(), secrets));
    }
    if (common.hasCombinedValidationContext()) {
      builder.getCombinedValidationContextBuilder().setValidationContextSdsSecretConfig(
          staticSecret(common.getCombinedValidationContext().getValidationContextSdsSecretConfig(), secrets));
    }
    return builder.build();
  }

  private static SdsSecretConfig staticSecret(SdsSecretConfig sds, Map<String, Secret> secrets) {
    if (!secrets.containsKey(sds.getName())) {
      throw new IllegalStateException("missing secret " + sds.getName());
    }
    return sds.toBuilder().clearSdsConfig().build();
  }
}
