package dev.embassy.controlplane.cache;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which clusters a listener or route configuration sends traffic to, read from the Envoy resources
 * themselves (so nothing the translator adds can be missed): route targets, weighted targets and
 * mirrors, and the clusters of the gRPC services HTTP filters call (ext_authz, rate limit).
 */
public final class ResourceReferences {
  private ResourceReferences() {}

  public static Set<String> clusters(RouteConfiguration config) {
    Set<String> clusters = new TreeSet<>();
    for (VirtualHost host : config.getVirtualHostsList()) {
      for (Route route : host.getRoutesList()) {
        if (!route.hasRoute()) {
          continue;
        }
        if (!route.getRoute().getCluster().isEmpty()) {
          clusters.add(route.getRoute().getCluster());
        }
        for (WeightedCluster.ClusterWeight weight : route.getRoute().getWeightedClusters().getClustersList()) {
          clusters.add(weight.getName());
        }
        route.getRoute().getRequestMirrorPoliciesList().forEach(m -> clusters.add(m.getCluster()));
      }
    }
    return clusters;
  }

  public static Set<String> clusters(Listener listener) {
    Set<String> clusters = new TreeSet<>();
    for (HttpConnectionManager hcm : connectionManagers(listener)) {
      for (HttpFilter filter : hcm.getHttpFiltersList()) {
        grpcCluster(filter.getTypedConfig(), clusters);
      }
    }
    return clusters;
  }

  /** The RouteConfiguration names a listener's connection managers fetch over RDS. */
  public static Set<String> routeConfigurations(Listener listener) {
    Set<String> names = new TreeSet<>();
    for (HttpConnectionManager hcm : connectionManagers(listener)) {
      if (hcm.hasRds()) {
        names.add(hcm.getRds().getRouteConfigName());
      }
    }
    return names;
  }

  /** Whether the cluster takes its endpoints from EDS, and so is warm only once it has them. */
  public static boolean needsEndpoints(Cluster cluster) {
    return cluster.getType() == Cluster.DiscoveryType.EDS;
  }

  private static java.util.List<HttpConnectionManager> connectionManagers(Listener listener) {
    java.util.List<HttpConnectionManager> managers = new java.util.ArrayList<>();
    for (FilterChain chain : listener.getFilterChainsList()) {
      for (Filter filter : chain.getFiltersList()) {
        if (filter.getTypedConfig().is(HttpConnectionManager.class)) {
          managers.add(unpack(filter.getTypedConfig(), HttpConnectionManager.class));
        }
      }
    }
    if (listener.hasApiListener() && listener.getApiListener().getApiListener().is(HttpConnectionManager.class)) {
      managers.add(unpack(listener.getApiListener().getApiListener(), HttpConnectionManager.class));
    }
    return managers;
  }

  private static void grpcCluster(Any config, Set<String> clusters) {
    GrpcService service = null;
    if (config.is(ExtAuthz.class)) {
      service = unpack(config, ExtAuthz.class).getGrpcService();
    } else if (config.is(RateLimit.class)) {
      service = unpack(config, RateLimit.class).getRateLimitService().getGrpcService();
    }
    if (service != null && service.hasEnvoyGrpc()) {
      clusters.add(service.getEnvoyGrpc().getClusterName());
    }
  }

  private static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("unreadable " + type.getSimpleName() + " in a translated resource", e);
    }
  }
}
