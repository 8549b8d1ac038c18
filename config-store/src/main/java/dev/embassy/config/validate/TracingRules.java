package dev.embassy.config.validate;

import dev.embassy.config.model.Gateway;

/**
 * A gateway's tracing, held to what Envoy's OpenTelemetry tracer and the HCM's sampling take: the
 * collector becomes a cluster (so its address follows the rules of a cluster endpoint), and
 * random_sampling is a percentage.
 */
final class TracingRules {
  private static final int MAX_SERVICE_NAME = 128;

  private TracingRules() {}

  static void check(Gateway gateway, Violations v) {
    gateway.tracing().ifPresent(tracing -> {
      Violations at = v.at("tracing");
      if (Checks.required(at, "collector", tracing.collector())) {
        ClusterRules.address(at.at("collector"), "address", tracing.collector().address());
        Checks.port(at.at("collector"), "port", tracing.collector().port());
      }
      double percent = tracing.samplingPercent();
      if (!(percent >= 0 && percent <= 100)) {
        at.add("samplingPercent", "must be between 0 and 100");
      }
      tracing.serviceName().ifPresent(name -> {
        // Envoy sends it as the service.name resource attribute; backends show it in every span list.
        if (name.isEmpty() || name.length() > MAX_SERVICE_NAME || name.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
          at.add("serviceName", "must be 1-" + MAX_SERVICE_NAME + " printable ASCII characters");
        }
      });
    });
  }
}
