package dev.embassy.controlplane.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.embassy.controlplane.translate.XdsResources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Structural checks on a node group's resources before they are served: every name a resource
 * points at must be in the same snapshot. A snapshot that fails is never published; the last good
 * one keeps serving. This is the last line of defence behind the admin API's validation.
 */
public final class SnapshotConsistency {
  private SnapshotConsistency() {}

  public static List<String> problems(XdsResources resources) {
    List<String> problems = new ArrayList<>();
    Set<String> routeConfigs = resources.routes().stream().map(RouteConfiguration::getName).collect(Collectors.toSet());
    Set<String> clusters = resources.clusters().stream().map(Cluster::getName).collect(Collectors.toSet());
    Set<String> assignments = resources.endpoints().stream().map(ClusterLoadAssignment::getClusterName).collect(Collectors.toSet());
    Set<String> secrets = resources.secrets().stream().map(Secret::getName).collect(Collectors.toSet());
    Set<String> listenerNames = new HashSet<>();
    Set<Integer> ports = new HashSet<>();

    for (Listener listener : resources.listeners()) {
      if (!listenerNames.add(listener.getName())) {
        problems.add("listener " + listener.getName() + " appears twice");
      }
      if (!ports.add(listener.getAddress().getSocketAddress().getPortValue())) {
        problems.add("two listeners bind port " + listener.getAddress().getSocketAddress().getPortValue());
      }
      for (FilterChain chain : listener.getFilterChainsList()) {
        for (String secret : serverSecrets(chain)) {
          if (!secrets.contains(secret)) {
            problems.add("listener " + listener.getName() + " needs secret " + secret + ", which is missing");
          }
        }
        for (Filter filter : chain.getFiltersList()) {
          if (filter.getTypedConfig().is(HttpConnectionManager.class)) {
            try {
              String rds = filter.getTypedConfig().unpack(HttpConnectionManager.class).getRds().getRouteConfigName();
              if (!routeConfigs.contains(rds)) {
                problems.add("listener " + listener.getName() + " needs RouteConfiguration " + rds + ", which is missing");
              }
            } catch (InvalidProtocolBufferException e) {
              problems.add("listener " + listener.getName() + " has an unreadable HTTP connection manager");
            }
          }
        }
      }
    }
    for (RouteConfiguration config : resources.routes()) {
      Set<String> domains = new HashSet<>();
      for (VirtualHost host : config.getVirtualHostsList()) {
        for (String domain : host.getDomainsList()) {
          if (!domains.add(domain)) {
            problems.add("RouteConfiguration " + config.getName() + " lists domain " + domain + " twice (Envoy rejects it)");
          }
        }
        for (Route route : host.getRoutesList()) {
          for (String cluster : targets(route)) {
            if (!clusters.contains(cluster)) {
              problems.add("route " + route.getName() + " sends to cluster " + cluster + ", which is missing");
            }
          }
        }
      }
    }
    for (Cluster cluster : resources.clusters()) {
      if (cluster.getType() == Cluster.DiscoveryType.EDS && !assignments.contains(cluster.getEdsClusterConfig().getServiceName())
          && !resources.awaitingEndpoints().contains(cluster.getName())) {
        problems.add("cluster " + cluster.getName() + " has no ClusterLoadAssignment");
      }
      for (String sds : cluster.getTransportSocket().hasTypedConfig() ? clientSecrets(cluster) : List.<String>of()) {
        if (!sds.isEmpty() && !secrets.contains(sds)) {
          problems.add("cluster " + cluster.getName() + " needs secret " + sds + ", which is missing");
        }
      }
    }
    return problems;
  }

  private static List<String> serverSecrets(FilterChain chain) {
    if (!chain.getTransportSocket().getTypedConfig().is(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.class)) {
      return List.of();
    }
    try {
      return chain.getTransportSocket().getTypedConfig()
          .unpack(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.class)
          .getCommonTlsContext().getTlsCertificateSdsSecretConfigsList().stream()
          .map(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig::getName).toList();
    } catch (InvalidProtocolBufferException e) {
      return List.of("(unreadable TLS context)");
    }
  }

  private static List<String> targets(Route route) {
    List<String> targets = new ArrayList<>();
    if (!route.hasRoute()) {
      return targets;
    }
    if (!route.getRoute().getCluster().isEmpty()) {
      targets.add(route.getRoute().getCluster());
    }
    for (WeightedCluster.ClusterWeight weight : route.getRoute().getWeightedClusters().getClustersList()) {
      targets.add(weight.getName());
    }
    route.getRoute().getRequestMirrorPoliciesList().forEach(m -> targets.add(m.getCluster()));
    return targets;
  }

  /** The SDS secrets an upstream TLS context names: its trust (plain or combined with inline checks) and a client certificate. */
  private static List<String> clientSecrets(Cluster cluster) {
    try {
      io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext common = cluster.getTransportSocket().getTypedConfig()
          .unpack(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.class).getCommonTlsContext();
      List<String> names = new ArrayList<>();
      names.add(common.getValidationContextSdsSecretConfig().getName());
      names.add(common.getCombinedValidationContext().getValidationContextSdsSecretConfig().getName());
      common.getTlsCertificateSdsSecretConfigsList().forEach(c -> names.add(c.getName()));
      return names;
    } catch (InvalidProtocolBufferException e) {
      return List.of("(unreadable TLS context)");
    }
  }
}
