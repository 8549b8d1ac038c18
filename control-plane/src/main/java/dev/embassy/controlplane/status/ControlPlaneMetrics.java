package dev.embassy.controlplane.status;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The control plane's Prometheus metrics. Names follow embassy_controlplane_&lt;what&gt;, with
 * _total for counters and _seconds for timings (Micrometer adds the suffixes).
 */
public final class ControlPlaneMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Timer translation;
  private final Timer pushToAck;

  public ControlPlaneMetrics() {
    translation = Timer.builder("embassy.controlplane.translation")
        .description("Time to build, translate and check every node group for one revision")
        .publishPercentileHistogram()
        .register(registry);
    pushToAck = Timer.builder("embassy.controlplane.push.ack")
        .description("Time from sending a resource version to a proxy until the proxy ACKs it")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }

  public void gauge(String name, String description, DoubleSupplier value) {
    // Strong reference: Micrometer otherwise holds the supplier weakly and the gauge turns NaN after a GC.
    Gauge.builder(name, value, DoubleSupplier::getAsDouble).strongReference(true).description(description).register(registry);
  }

  public void translated(Duration duration) {
    translation.record(duration);
  }

  public void pushed(String typeUrl) {
    Counter.builder("embassy.controlplane.pushes").description("Responses sent to proxies, by resource type")
        .tag("type", shortType(typeUrl)).register(registry).increment();
  }

  public void acked(String typeUrl, Duration sinceSent) {
    pushToAck.record(sinceSent);
  }

  public void nacked(String typeUrl) {
    Counter.builder("embassy.controlplane.nacks").description("Configuration rejections reported by proxies, by resource type")
        .tag("type", shortType(typeUrl)).register(registry).increment();
  }

  /**
   * An ADS stream refused for who it is: {@code reason} is node_group_mismatch, no_node_group_identity,
   * no_client_certificate, missing_token, unknown_token or identity_conflict.
   */
  public void xdsRefused(String reason) {
    Counter.builder("embassy.controlplane.xds.refused")
        .description("ADS streams refused because their client certificate or token does not allow the node group they asked for")
        .tag("reason", reason).register(registry).increment();
  }

  public void rejectedRevision() {
    Counter.builder("embassy.controlplane.revisions.rejected")
        .description("Revisions not served because their translation failed the consistency check")
        .register(registry).increment();
  }

  /** The registry, for components that publish their own meters (Consul discovery). */
  public io.micrometer.core.instrument.MeterRegistry registry() {
    return registry;
  }

  public String scrape() {
    return registry.scrape();
  }

  /** "type.googleapis.com/envoy.config.route.v3.RouteConfiguration" → "RouteConfiguration". */
  private static String shortType(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('.') + 1);
  }
}
