package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import dev.embassy.config.model.Cluster;
import dev.embassy.config.model.DurationText;
import dev.embassy.controlplane.ir.UpstreamCluster;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.time.Duration;

/**
 * Builds a cluster: EDS, its endpoints arriving over the same ADS stream, unless its static
 * endpoints name hosts by DNS name, which EDS cannot carry (Envoy parses EDS addresses as IP
 * literals: "malformed IP address: api.internal"). Those become STRICT_DNS clusters that Envoy
 * resolves itself, following every address behind each name.
 */
final class ClusterTranslator {
  private ClusterTranslator() {}

  static io.envoyproxy.envoy.config.cluster.v3.Cluster cluster(UpstreamCluster upstream) {
    Cluster cluster = upstream.cluster();
    io.envoyproxy.envoy.config.cluster.v3.Cluster.Builder envoy =
        io.envoyproxy.envoy.config.cluster.v3.Cluster.newBuilder()
            .setName(cluster.name())
            .setConnectTimeout(duration(cluster.connectTimeout()));
    if (resolvedByDns(upstream)) {
      envoy.setType(io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType.STRICT_DNS)
          // "localhost" and dual-stack names: the IPv4 address when there is one, as curl does.
          .setDnsLookupFamily(io.envoyproxy.envoy.config.cluster.v3.Cluster.DnsLookupFamily.V4_PREFERRED)
          .setLoadAssignment(EndpointTranslator.loadAssignment(upstream).orElseThrow());
    } else {
      envoy.setType(io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType.EDS)
          // Endpoints change far more often than clusters; EDS lets them move without
          // re-sending (and re-warming) the cluster.
          .setEdsClusterConfig(io.envoyproxy.envoy.config.cluster.v3.Cluster.EdsClusterConfig.newBuilder()
              .setEdsConfig(ConfigSources.ads())
              .setServiceName(cluster.name()));
    }
    envoy
            .setLbPolicy(switch (cluster.lbPolicy()) {
              case ROUND_ROBIN -> io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.ROUND_ROBIN;
              case LEAST_REQUEST -> io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.LEAST_REQUEST;
              case RANDOM -> io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.RANDOM;
              case RING_HASH -> io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.RING_HASH;
              case MAGLEV -> io.envoyproxy.envoy.config.cluster.v3.Cluster.LbPolicy.MAGLEV;
            });
    if (cluster.http2()) {
      envoy.putTypedExtensionProtocolOptions("envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
          Any.pack(HttpProtocolOptions.newBuilder()
              .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder().setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
              .build()));
    }
    UpstreamTlsTranslator.transportSocket(cluster).ifPresent(envoy::setTransportSocket);
    MeshTlsTranslator.upstream(upstream).ifPresent(envoy::setTransportSocket);
    cluster.healthCheck().ifPresent(check -> envoy.addHealthChecks(HealthCheck.newBuilder()
        .setTimeout(duration(check.timeout()))
        .setInterval(duration(check.interval()))
        // Until a cluster has carried traffic Envoy checks every no_traffic_interval (60 s by
        // default), and the check armed then still runs first once traffic starts: a host that
        // died while the cluster was idle kept its traffic for up to a minute (UpstreamHealthIT
        // saw 59.7 s for a 200 ms interval). The interval asked for holds from the start.
        .setNoTrafficInterval(duration(check.interval()))
        .setHealthyThreshold(UInt32Value.of(check.healthyThreshold()))
        .setUnhealthyThreshold(UInt32Value.of(check.unhealthyThreshold()))
        .setHttpHealthCheck(HealthCheck.HttpHealthCheck.newBuilder().setPath(check.path()))));
    cluster.circuitBreaker().ifPresent(breaker -> {
      CircuitBreakers.Thresholds.Builder thresholds = CircuitBreakers.Thresholds.newBuilder();
      breaker.maxConnections().ifPresent(n -> thresholds.setMaxConnections(UInt32Value.of(n)));
      breaker.maxPendingRequests().ifPresent(n -> thresholds.setMaxPendingRequests(UInt32Value.of(n)));
      breaker.maxRequests().ifPresent(n -> thresholds.setMaxRequests(UInt32Value.of(n)));
      breaker.maxRetries().ifPresent(n -> thresholds.setMaxRetries(UInt32Value.of(n)));
      envoy.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(thresholds));
    });
    cluster.outlierDetection().ifPresent(outlier -> {
      OutlierDetection.Builder detection = OutlierDetection.newBuilder()
          .setConsecutive5Xx(UInt32Value.of(outlier.consecutive5xx()))
          .setInterval(duration(outlier.interval()))
          .setBaseEjectionTime(duration(outlier.baseEjectionTime()))
          .setMaxEjectionPercent(UInt32Value.of(outlier.maxEjectionPercent()));
      // Enforcement defaults to 0 (computed, never applied) in Envoy; asked for, it always applies.
      outlier.failurePercentage().ifPresent(failure -> detection
          .setFailurePercentageThreshold(UInt32Value.of(failure.threshold()))
          .setEnforcingFailurePercentage(UInt32Value.of(100))
          .setFailurePercentageMinimumHosts(UInt32Value.of(failure.minimumHosts()))
          .setFailurePercentageRequestVolume(UInt32Value.of(failure.requestVolume())));
      envoy.setOutlierDetection(detection);
    });
    return envoy.build();
  }

  /** Static endpoints of which at least one is a DNS name, not an IP literal. */
  static boolean resolvedByDns(UpstreamCluster upstream) {
    return upstream.cluster().discovery().staticEndpoints().isPresent()
        && upstream.endpoints().orElse(java.util.List.of()).stream().anyMatch(e -> !ipLiteral(e.address()));
  }

  /** Validation has refused malformed literals already, so the shape tells a literal from a name. */
  private static boolean ipLiteral(String address) {
    return address.contains(":") || IPV4.matcher(address).matches();
  }

  private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

  private static com.google.protobuf.Duration duration(String text) {
    Duration duration = DurationText.of(text);
    return Durations.fromMillis(duration.toMillis());
  }
}
