package dev.embassy.config.validate;

import dev.embassy.config.model.Cluster;
import dev.embassy.config.model.Cluster.Endpoint;
import java.time.Duration;

final class ClusterRules {
  private static final int MAX_STATIC_ENDPOINTS = 1024;
  private static final java.util.regex.Pattern IPV4 =
      java.util.regex.Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
  private static final java.util.regex.Pattern DNS_NAME =
      java.util.regex.Pattern.compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final java.util.regex.Pattern IPV6_CHARACTERS = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private ClusterRules() {}

  static void check(Cluster cluster, Violations v) {
    if (cluster.name() != null && cluster.name().startsWith("embassy-")) {
      // The control plane adds clusters for its own services (embassy-auth, embassy-ratelimit).
      v.add("name", "names starting with embassy- are reserved for Embassy's own clusters");
    }
    if (Checks.required(v, "discovery", cluster.discovery())) {
      Violations at = v.at("discovery");
      Cluster.Discovery discovery = cluster.discovery();
      if (discovery.consul().isPresent() == discovery.staticEndpoints().isPresent()) {
        at.here("needs exactly one of consul and static");
      }
      discovery.consul().ifPresent(consul -> {
        Violations c = at.at("consul");
        if (Checks.required(c, "service", consul.service()) && !consul.service().matches("[A-Za-z0-9_.-]{1,128}")) {
          c.add("service", "must be a Consul service name (letters, digits, '-', '_', '.')");
        }
        for (int i = 0; i < consul.tags().size(); i++) {
          if (consul.tags().get(i).isBlank() || consul.tags().get(i).length() > 256) {
            c.at("tags").add(Integer.toString(i), "tags must be 1-256 characters");
          }
        }
        consul.datacenter().ifPresent(dc -> {
          if (!dc.matches("[A-Za-z0-9_-]{1,64}")) {
            c.add("datacenter", "must be a Consul datacenter name");
          }
        });
      });
      discovery.staticEndpoints().ifPresent(endpoints -> {
        Violations s = at.at("static");
        if (Checks.required(s, "endpoints", endpoints.endpoints())) {
          Checks.maxSize(s, "endpoints", endpoints.endpoints(), MAX_STATIC_ENDPOINTS);
        }
        Checks.unique(s, "endpoints", endpoints.endpoints(), e -> e.address() + ":" + e.port(), "duplicate endpoint");
        for (int i = 0; i < endpoints.endpoints().size(); i++) {
          endpoint(endpoints.endpoints().get(i), s.at("endpoints", i));
        }
      });
    }
    Checks.duration(v, "connectTimeout", cluster.connectTimeout(), Duration.ofMinutes(1));
    cluster.tls().ifPresent(tls -> {
      tls.sni().ifPresent(sni -> Checks.preciseHostname(v.at("tls"), "sni", sni));
      tls.caCertificateRef().ifPresent(ca -> Checks.name(v.at("tls"), "caCertificateRef", ca));
      subjectAltNames(tls.subjectAltNames(), v.at("tls"));
    });
    ConnectRules.cluster(cluster, v);
    cluster.healthCheck().ifPresent(check -> {
      Violations at = v.at("healthCheck");
      Checks.path(at, "path", check.path());
      Duration interval = Checks.duration(at, "interval", check.interval(), Duration.ofHours(1));
      Duration timeout = Checks.duration(at, "timeout", check.timeout(), Duration.ofMinutes(1));
      if (interval != null && timeout != null && timeout.compareTo(interval) > 0) {
        at.add("timeout", "must not exceed interval");
      }
      Checks.range(at, "healthyThreshold", check.healthyThreshold(), 1, 100);
      Checks.range(at, "unhealthyThreshold", check.unhealthyThreshold(), 1, 100);
    });
    cluster.circuitBreaker().ifPresent(breaker -> {
      Violations at = v.at("circuitBreaker");
      breaker.maxConnections().ifPresent(n -> Checks.range(at, "maxConnections", n, 1, 1_000_000));
      breaker.maxPendingRequests().ifPresent(n -> Checks.range(at, "maxPendingRequests", n, 1, 1_000_000));
      breaker.maxRequests().ifPresent(n -> Checks.range(at, "maxRequests", n, 1, 1_000_000));
      breaker.maxRetries().ifPresent(n -> Checks.range(at, "maxRetries", n, 0, 1_000_000));
    });
    cluster.outlierDetection().ifPresent(outlier -> {
      Violations at = v.at("outlierDetection");
      Checks.range(at, "consecutive5xx", outlier.consecutive5xx(), 1, 1000);
      Checks.duration(at, "interval", outlier.interval(), Duration.ofHours(1));
      Checks.duration(at, "baseEjectionTime", outlier.baseEjectionTime(), Duration.ofHours(1));
      Checks.range(at, "maxEjectionPercent", outlier.maxEjectionPercent(), 0, 100);
      outlier.failurePercentage().ifPresent(failure -> {
        Violations f = at.at("failurePercentage");
        Checks.range(f, "threshold", failure.threshold(), 0, 100);
        Checks.range(f, "minimumHosts", failure.minimumHosts(), 0, 10_000);
        Checks.range(f, "requestVolume", failure.requestVolume(), 0, 1_000_000);
      });
    });
  }

  private static void endpoint(Endpoint endpoint, Violations v) {
    address(v, "address", endpoint.address());
    Checks.port(v, "port", endpoint.port());
    // Envoy rejects an LbEndpoint weight of 0 (the field's minimum is 1).
    Checks.range(v, "weight", endpoint.weight(), 1, 128);
  }

  /** Where Envoy connects to: an IP literal, or a DNS name it resolves (a STRICT_DNS cluster). */
  static void address(Violations v, String field, String address) {
    if (Checks.required(v, field, address) && !ipLiteral(address) && !dnsName(address)) {
      // Envoy parses socket addresses with inet_pton: "malformed IP address: 01.2.3.4" for 999.1.1.1,
      // 1.2.3, 01.2.3.4 or [::1]. Such strings are neither an IP nor a name anyone means.
      v.add(field, "must be an IPv4 address (1.2.3.4, no leading zeros), an IPv6 address without brackets or zone, "
          + "or a lowercase DNS name");
    }
  }

  /** A DNS name that cannot be mistaken for a malformed IPv4 address (every label numeric). */
  private static boolean dnsName(String address) {
    return DNS_NAME.matcher(address).matches() && !address.matches("[0-9.]+");
  }

  /** What Envoy's inet_pton accepts: dotted quads without leading zeros, and IPv6 text. */
  static boolean ipLiteral(String address) {
    if (IPV4.matcher(address).matches()) {
      return true;
    }
    if (!address.contains(":") || !IPV6_CHARACTERS.matcher(address).matches()) {
      return false;
    }
    int lastColon = address.lastIndexOf(':');
    if (address.indexOf('.') >= 0 && !IPV4.matcher(address.substring(lastColon + 1)).matches()) {
      return false;
    }
    try {
      // With a ':' and nothing but hex digits, ':' and '.', this parses a literal and never resolves.
      return java.net.InetAddress.getByName(address) != null;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static final int MAX_SUBJECT_ALT_NAMES = 16;
  private static final java.util.regex.Pattern URI_SAN = java.util.regex.Pattern.compile("[a-z][a-z0-9+.-]*:[\\x21-\\x7e]+");

  /** @param v the {@code /tls} view */
  private static void subjectAltNames(java.util.List<Cluster.SubjectAltName> names, Violations v) {
    Checks.maxSize(v, "subjectAltNames", names, MAX_SUBJECT_ALT_NAMES);
    for (int i = 0; i < names.size(); i++) {
      Cluster.SubjectAltName name = names.get(i);
      Violations at = v.at("subjectAltNames", i);
      if (name == null) {
        at.here("must be an object");
        continue;
      }
      if (!Checks.required(at, "type", name.type()) || !Checks.required(at, "value", name.value())) {
        continue;
      }
      switch (name.type()) {
        case DNS -> {
          if (name.match() == Cluster.SanMatch.Prefix) {
            at.add("match", "DNS names match exactly (a wildcard certificate matches as TLS clients match it); Prefix is for URI");
          } else {
            Checks.preciseHostname(at, "value", name.value());
          }
        }
        case URI -> {
          if (name.value().length() > 2048 || !URI_SAN.matcher(name.value()).matches()) {
            at.add("value", "must be an absolute URI such as spiffe://trust-domain/path, without spaces or control characters");
          }
        }
      }
    }
  }
}
