package dev.embassy.auth.status;

import dev.embassy.auth.check.Decision;
import dev.embassy.auth.jwks.FetchListener;
import dev.embassy.auth.jwks.FetchTrigger;
import dev.embassy.auth.jwks.KeySource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * auth-service's Prometheus metrics (embassy_auth_*; Micrometer adds _total and _seconds):
 * decisions by result, reason and policy; Checks with a verified client certificate by policy;
 * Check latency; JWKS fetches; verified-token cache
 * lookups (hit ratio = hits / all). Counters are looked up once per label set and kept, since a
 * Check is on the hot path.
 */
public final class AuthMetrics implements FetchListener {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Timer checkDuration;
  private final Counter cacheHits;
  private final Counter cacheMisses;
  private final Map<String, Counter> decisions = new ConcurrentHashMap<>();
  private final Map<String, Counter> clientCertificateChecks = new ConcurrentHashMap<>();

  public AuthMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    checkDuration = Timer.builder("embassy.auth.check.duration")
        .description("Time to decide one ext_authz Check, inside the service")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(10_000))
        .maximumExpectedValue(Duration.ofSeconds(1))
        .register(registry);
    cacheHits = Counter.builder("embassy.auth.token.cache.lookups").tag("result", "hit")
        .description("Verified-token cache lookups by result").register(registry);
    cacheMisses = Counter.builder("embassy.auth.token.cache.lookups").tag("result", "miss")
        .description("Verified-token cache lookups by result").register(registry);
  }

  public void decided(Decision decision, long nanos) {
    checkDuration.record(nanos, TimeUnit.NANOSECONDS);
    String result = switch (decision) {
      case Decision.Allow allow -> allow.dryRunDenial().isPresent() ? "dry_run_deny" : "allow";
      case Decision.Deny deny -> "deny";
    };
    String key = result + '\0' + decision.reason() + '\0' + decision.policy();
    decisions.computeIfAbsent(key, k -> Counter.builder("embassy.auth.decisions")
        .description("Check decisions by result (allow, deny, dry_run_deny), reason and policy")
        .tag("result", result).tag("reason", decision.reason()).tag("policy", decision.policy())
        .register(registry)).increment();
  }

  /**
   * One Check from a connection with a verified client certificate (a mutual-TLS listener): how
   * much of a policy's traffic carries a certificate identity, for instance before requiring it.
   */
  public void clientCertificateChecked(String policy) {
    clientCertificateChecks.computeIfAbsent(policy, p -> Counter.builder("embassy.auth.client.certificate.checks")
        .description("Checks whose connection presented a client certificate Envoy verified, by policy")
        .tag("policy", p)
        .register(registry)).increment();
  }

  public void cacheLookup(boolean hit) {
    (hit ? cacheHits : cacheMisses).increment();
  }

  @Override
  public void fetched(KeySource source, FetchTrigger trigger, boolean ok) {
    Counter.builder("embassy.auth.jwks.fetches")
        .description("Discovery/JWKS fetches by issuer, trigger (startup, refresh, unknown_kid) and outcome")
        .tag("issuer", source.issuer()).tag("trigger", trigger.label()).tag("outcome", ok ? "ok" : "error")
        .register(registry).increment();
  }

  public void gauge(String name, String description, DoubleSupplier value) {
    // Strong reference: Micrometer otherwise holds the supplier weakly and the gauge turns NaN after a GC.
    Gauge.builder(name, value, DoubleSupplier::getAsDouble).strongReference(true).description(description).register(registry);
  }

  public String scrape() {
    return registry.scrape();
  }
}
