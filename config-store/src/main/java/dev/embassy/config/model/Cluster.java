package dev.embassy.config.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A backend service: where its endpoints come from and how Envoy connects to them. */
public record Cluster(
    String name,
    Map<String, String> labels,
    Discovery discovery,
    LbPolicy lbPolicy,
    String connectTimeout,
    Boolean http2,
    Optional<UpstreamTls> tls,
    Optional<HealthCheck> healthCheck,
    Optional<CircuitBreaker> circuitBreaker,
    Optional<OutlierDetection> outlierDetection,
    Optional<Connect> connect)
    implements ConfigResource {
  public Cluster {
    labels = Absent.map(labels);
    lbPolicy = Absent.or(lbPolicy, LbPolicy.ROUND_ROBIN);
    connectTimeout = Absent.or(connectTimeout, "1s");
    http2 = Absent.or(http2, false);
    tls = Absent.optional(tls);
    healthCheck = Absent.optional(healthCheck);
    circuitBreaker = Absent.optional(circuitBreaker);
    outlierDetection = Absent.optional(outlierDetection);
    connect = Absent.optional(connect);
  }

  public Cluster(String name, Map<String, String> labels, Discovery discovery, LbPolicy lbPolicy, String connectTimeout, Boolean http2,
      Optional<UpstreamTls> tls, Optional<HealthCheck> healthCheck, Optional<CircuitBreaker> circuitBreaker,
      Optional<OutlierDetection> outlierDetection) {
    this(name, labels, discovery, lbPolicy, connectTimeout, http2, tls, healthCheck, circuitBreaker, outlierDetection, Optional.empty());
  }

  /**
   * The endpoints are Consul Connect sidecars of {@code service}: Envoy talks mTLS to them,
   * presenting the calling sidecar's Connect leaf certificate, and accepts only a peer whose
   * certificate Consul's CA signed for {@code service} (its SPIFFE ID). With Consul discovery
   * the endpoints are the discovered service's Connect sidecars ({@code /v1/health/connect}).
   * Only gateways with a Connect identity of their own may use such a cluster.
   */
  public record Connect(String service) {}

  @Override
  public ResourceKind kind() {
    return ResourceKind.CLUSTER;
  }

  @Override
  public List<Reference> references() {
    List<Reference> refs = new ArrayList<>();
    tls.flatMap(UpstreamTls::caCertificateRef)
        .ifPresent(ca -> refs.add(new Reference(ResourceKind.CERTIFICATE, ca, "/tls/caCertificateRef")));
    return refs;
  }

  public enum LbPolicy { ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH, MAGLEV }

  /** Exactly one of {@code consul} and {@code static}. */
  public record Discovery(Optional<ConsulService> consul, @JsonProperty("static") Optional<StaticEndpoints> staticEndpoints) {
    public Discovery {
      consul = Absent.optional(consul);
      staticEndpoints = Absent.optional(staticEndpoints);
    }
  }

  /** Endpoints from Consul's health API: passing instances of {@code service}, filtered. */
  public record ConsulService(
      String service, List<String> tags, Optional<String> datacenter, Map<String, String> nodeMeta, Boolean warningAsDegraded) {
    public ConsulService {
      tags = Absent.list(tags);
      datacenter = Absent.optional(datacenter);
      nodeMeta = Absent.map(nodeMeta);
      warningAsDegraded = Absent.or(warningAsDegraded, false);
    }
  }

  public record StaticEndpoints(List<Endpoint> endpoints) {
    public StaticEndpoints {
      endpoints = Absent.list(endpoints);
    }
  }

  public record Endpoint(String address, Integer port, Integer weight) {
    public Endpoint {
      weight = Absent.or(weight, 1);
    }
  }

  /**
   * TLS to the upstream; verified against {@code caCertificateRef}, else the system trust store.
   * The upstream's certificate must also carry one of {@code subjectAltNames}; without any, its
   * DNS SANs must match {@code sni} when that is set (a certificate for *.example.com matches
   * api.example.com), and only the chain is checked when neither is.
   */
  public record UpstreamTls(Optional<String> sni, Optional<String> caCertificateRef, List<SubjectAltName> subjectAltNames) {
    public UpstreamTls {
      sni = Absent.optional(sni);
      caCertificateRef = Absent.optional(caCertificateRef);
      subjectAltNames = Absent.list(subjectAltNames);
    }

    public UpstreamTls(Optional<String> sni, Optional<String> caCertificateRef) {
      this(sni, caCertificateRef, List.of());
    }
  }

  public enum SanType { DNS, URI }

  public enum SanMatch { Exact, Prefix }

  /**
   * A subject alt name the upstream's certificate must carry: a DNS name (exactly; wildcard
   * certificates match as TLS clients match them) or a URI such as a SPIFFE ID, exactly or by
   * prefix (spiffe://corp.example/ns/payments/ for every service of a namespace).
   */
  public record SubjectAltName(SanType type, String value, SanMatch match) {
    public SubjectAltName {
      match = Absent.or(match, SanMatch.Exact);
    }
  }

  /** Active HTTP health checking. */
  public record HealthCheck(String path, String interval, String timeout, Integer healthyThreshold, Integer unhealthyThreshold) {
    public HealthCheck {
      interval = Absent.or(interval, "5s");
      timeout = Absent.or(timeout, "1s");
      healthyThreshold = Absent.or(healthyThreshold, 2);
      unhealthyThreshold = Absent.or(unhealthyThreshold, 3);
    }
  }

  /** Envoy's circuit-breaker thresholds; an omitted one keeps Envoy's default (1024, retries 3). */
  public record CircuitBreaker(
      Optional<Integer> maxConnections, Optional<Integer> maxPendingRequests, Optional<Integer> maxRequests, Optional<Integer> maxRetries) {
    public CircuitBreaker {
      maxConnections = Absent.optional(maxConnections);
      maxPendingRequests = Absent.optional(maxPendingRequests);
      maxRequests = Absent.optional(maxRequests);
      maxRetries = Absent.optional(maxRetries);
    }
  }

  /**
   * Passive health: eject hosts after consecutive 5xx and, with {@code failurePercentage}, hosts
   * whose share of failed requests in an interval reaches a threshold. gRPC's xDS clients
   * implement only the latter (gRFC A50), so a cluster proxyless clients use needs it.
   */
  public record OutlierDetection(Integer consecutive5xx, String interval, String baseEjectionTime, Integer maxEjectionPercent,
      Optional<FailurePercentage> failurePercentage) {
    public OutlierDetection {
      consecutive5xx = Absent.or(consecutive5xx, 5);
      interval = Absent.or(interval, "10s");
      baseEjectionTime = Absent.or(baseEjectionTime, "30s");
      maxEjectionPercent = Absent.or(maxEjectionPercent, 10);
      failurePercentage = Absent.optional(failurePercentage);
    }
  }

  /**
   * Ejects a host whose failed requests in an interval are at least {@code threshold} percent,
   * judged only for hosts with {@code requestVolume} requests in it and only while the cluster has
   * {@code minimumHosts} such hosts (Envoy's and gRPC's defaults: 85, 100, 5).
   */
  public record FailurePercentage(Integer threshold, Integer minimumHosts, Integer requestVolume) {
    public FailurePercentage {
      threshold = Absent.or(threshold, 85);
      minimumHosts = Absent.or(minimumHosts, 5);
      requestVolume = Absent.or(requestVolume, 100);
    }
  }
}
