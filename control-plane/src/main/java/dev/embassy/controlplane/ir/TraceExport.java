package dev.embassy.controlplane.ir;

import dev.embassy.config.model.Gateway;
import java.util.List;
import java.util.Optional;

/**
 * A gateway's tracing, resolved for its listeners: the cluster its Envoys send spans through (one
 * per gateway, generated from the collector's address), the share of new traces they record, and
 * the service name their spans carry.
 */
public record TraceExport(String collectorCluster, double samplingPercent, String serviceName) {
  /** embassy-* cluster names are reserved (validation refuses them for user clusters), so this cannot collide. */
  static final String COLLECTOR_PREFIX = "embassy-otlp-";

  static Optional<TraceExport> of(Gateway gateway) {
    return gateway.tracing().map(t -> new TraceExport(COLLECTOR_PREFIX + gateway.name(), t.samplingPercent(), t.serviceName().orElse(gateway.name())));
  }

  /** OTLP/gRPC needs HTTP/2; a DNS name becomes a STRICT_DNS cluster, an IP an EDS one, like any static endpoint. */
  static Optional<UpstreamCluster> collectorCluster(Gateway gateway) {
    return gateway.tracing().map(t -> NodeGroupBuilder.staticCluster(COLLECTOR_PREFIX + gateway.name(),
        List.of(new ServiceAddress(t.collector().address(), t.collector().port())), true));
  }
}
