package dev.embassy.config.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Listeners served to one node group of Envoys: the Envoys whose bootstrap {@code node.cluster}
 * equals {@link #nodeGroup()}. Several gateways may share a node group. With a {@code sidecar}
 * block the gateway is a service's sidecar Envoy (inbound to the app, outbound to other services),
 * which lets a service use Embassy as a lightweight mesh. With {@code connect} an edge gateway
 * takes a Consul Connect identity to call Connect services with. With a {@code proxyless} block
 * the gateway is served to gRPC applications' own xDS clients instead of Envoys (gRFC A27): each
 * exposed service is what a client dials as {@code xds:///<service>}.
 */
public record Gateway(
    String name,
    Map<String, String> labels,
    String nodeGroup,
    List<Listener> listeners,
    Optional<Sidecar> sidecar,
    Optional<AccessLog> accessLog,
    Optional<Stats> stats,
    Optional<Compression> compression,
    Optional<Connect> connect,
    Optional<Tracing> tracing,
    Optional<Proxyless> proxyless)
    implements ConfigResource {
  /** The name routes use to attach to a sidecar's outbound listener. */
  public static final String OUTBOUND_LISTENER = "outbound";

  public Gateway {
    labels = Absent.map(labels);
    listeners = Absent.list(listeners);
    sidecar = Absent.optional(sidecar);
    accessLog = Absent.optional(accessLog);
    stats = Absent.optional(stats);
    compression = Absent.optional(compression);
    connect = Absent.optional(connect);
    tracing = Absent.optional(tracing);
    proxyless = Absent.optional(proxyless);
  }

  public Gateway(String name, Map<String, String> labels, String nodeGroup, List<Listener> listeners, Optional<Sidecar> sidecar,
      Optional<AccessLog> accessLog, Optional<Stats> stats, Optional<Compression> compression) {
    this(name, labels, nodeGroup, listeners, sidecar, accessLog, stats, compression, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /**
   * The Consul Connect identity this gateway's Envoys present when they call Connect clusters: a
   * sidecar's {@code sidecar.connect}, or an edge gateway's {@code connect} (an edge has no
   * inbound mTLS: its clients come from outside the mesh).
   */
  public Optional<Connect> identity() {
    return sidecar.flatMap(Sidecar::connect).or(() -> connect);
  }

  /**
   * Served to gRPC clients that resolve {@code xds:///<service>} themselves (grpc-java's, Go's and
   * C++'s xDS resolvers), with no Envoy in the path. Each of {@code services} becomes the client
   * listener of that name; routes attach to it as {@code listener: <service>} (or to every service
   * of the gateway when they name no listener), and its requests go where the routes say. The
   * clients pick the gateway by {@code node.cluster} in their xDS bootstrap, as Envoys do.
   */
  public record Proxyless(List<String> services) {
    public Proxyless {
      services = Absent.list(services);
    }
  }

  public enum CompressionAlgorithm { gzip, brotli, zstd }

  /**
   * Compresses responses of the gateway's listeners for clients that accept it (Accept-Encoding),
   * with the client's favourite (highest q-value; on a tie, the first of {@code algorithms}), when the body is at least
   * {@code minBytes} and of one of {@code contentTypes} (Envoy's list of text types when empty).
   */
  public record Compression(List<CompressionAlgorithm> algorithms, Integer minBytes, List<String> contentTypes) {
    public Compression {
      algorithms = Absent.list(algorithms).isEmpty() ? List.of(CompressionAlgorithm.gzip) : Absent.list(algorithms);
      minBytes = Absent.or(minBytes, 1024);
      contentTypes = Absent.list(contentTypes);
    }
  }

  /**
   * W3C trace context through the gateway's listeners: Envoy joins the trace a request's
   * {@code traceparent} names, or starts one for {@code samplingPercent} of the requests without
   * one; passes the context on to the backend, auth-service and ratelimit-service; and sends its
   * spans, as {@code serviceName} (the gateway's name by default), by OTLP over gRPC to {@code collector}.
   */
  public record Tracing(Collector collector, Double samplingPercent, Optional<String> serviceName) {
    public Tracing {
      samplingPercent = Absent.or(samplingPercent, 100.0);
      serviceName = Absent.optional(serviceName);
    }
  }

  /** An OTLP/gRPC receiver (an OpenTelemetry Collector's otlp receiver listens on 4317). */
  public record Collector(String address, Integer port) {
    public Collector {
      port = Absent.or(port, 4317);
    }
  }

  public enum AccessLogFormat { Json, Text }

  /**
   * One line per request from every listener of the gateway, to a file or /dev/stdout. JSON lines
   * carry {@code fields} (name → Envoy format string such as {@code %REQ(X-REQUEST-ID)%}), or a
   * default set when none are given; text lines follow {@code text}, or Envoy's default format.
   */
  public record AccessLog(AccessLogFormat format, String path, Map<String, String> fields, Optional<String> text) {
    public AccessLog {
      format = Absent.or(format, AccessLogFormat.Json);
      path = Absent.or(path, "/dev/stdout");
      fields = Absent.map(fields);
      text = Absent.optional(text);
    }
  }

  /**
   * A listener on {@code port} serving Envoy's Prometheus stats at {@code /stats/prometheus} and
   * nothing else: the route goes to Envoy's own admin interface on 127.0.0.1:{@code adminPort}
   * (the bootstrap's), whose other endpoints stay unreachable.
   */
  public record Stats(Integer port, Integer adminPort) {
    public Stats {
      adminPort = Absent.or(adminPort, 9901);
    }
  }

  @Override
  public ResourceKind kind() {
    return ResourceKind.GATEWAY;
  }

  @Override
  public List<Reference> references() {
    java.util.ArrayList<Reference> refs = new java.util.ArrayList<>();
    for (int i = 0; i < listeners.size(); i++) {
      List<String> certs = listeners.get(i).tls().map(Tls::certificateRefs).orElse(List.of());
      for (int j = 0; j < certs.size(); j++) {
        if (certs.get(j) == null) {
          continue;
        }
        refs.add(new Reference(ResourceKind.CERTIFICATE, certs.get(j), "/listeners/" + i + "/tls/certificateRefs/" + j));
      }
      int listener = i;
      listeners.get(i).tls().flatMap(Tls::clientCertificates).map(ClientCertificates::caCertificateRef).ifPresent(ca ->
          refs.add(new Reference(ResourceKind.CERTIFICATE, ca, "/listeners/" + listener + "/tls/clientCertificates/caCertificateRef")));
    }
    sidecar.ifPresent(s -> {
      if (s.inbound() != null) {
        s.inbound().authPolicy().ifPresent(p -> refs.add(new Reference(ResourceKind.AUTH_POLICY, p, "/sidecar/inbound/authPolicy")));
        s.inbound().rateLimitPolicy().ifPresent(p -> refs.add(new Reference(ResourceKind.RATELIMIT_POLICY, p, "/sidecar/inbound/rateLimitPolicy")));
      }
      s.outbound().ifPresent(o -> {
        for (int k = 0; k < o.clusters().size(); k++) {
          if (o.clusters().get(k) != null) {
            refs.add(new Reference(ResourceKind.CLUSTER, o.clusters().get(k), "/sidecar/outbound/clusters/" + k));
          }
        }
      });
    });
    return refs;
  }

  public enum Protocol { HTTP, HTTPS }

  public record Listener(
      String name,
      Integer port,
      Protocol protocol,
      List<String> hostnames,
      Optional<Tls> tls,
      Optional<ClientAddress> clientAddress,
      Optional<ClientIps> clientIps,
      Optional<Timeouts> timeouts) {
    public Listener {
      protocol = Absent.or(protocol, Protocol.HTTP);
      hostnames = Absent.list(hostnames);
      tls = Absent.optional(tls);
      clientAddress = Absent.optional(clientAddress);
      clientIps = Absent.optional(clientIps);
      timeouts = Absent.optional(timeouts);
    }

    public Listener(String name, Integer port, Protocol protocol, List<String> hostnames, Optional<Tls> tls) {
      this(name, port, protocol, hostnames, tls, Optional.empty(), Optional.empty(), Optional.empty());
    }
  }

  /**
   * How the client's address is found. By default it is the TCP peer's, and X-Forwarded-For from
   * clients is not trusted. Behind {@code trustedHops} proxies of your own (a load balancer, a CDN),
   * it is the address the outermost of them appended to X-Forwarded-For: the one that many entries
   * from the right. That address is what client IP lists, rate limits by address and access logs see.
   */
  public record ClientAddress(Integer trustedHops) {
    public ClientAddress {
      trustedHops = Absent.or(trustedHops, 0);
    }
  }

  /**
   * Connection-level timeouts of a listener; Envoy's defaults apply to those left out (1 hour for
   * idle connections, 5 minutes for idle streams).
   */
  public record Timeouts(Optional<String> idle, Optional<String> streamIdle, Optional<String> requestHeaders) {
    public Timeouts {
      idle = Absent.optional(idle);
      streamIdle = Absent.optional(streamIdle);
      requestHeaders = Absent.optional(requestHeaders);
    }
  }

  /**
   * Server certificates for an HTTPS listener, chosen by SNI among {@code certificateRefs}, and
   * optionally the client certificates it asks for (mutual TLS).
   */
  public record Tls(List<String> certificateRefs, Optional<ClientCertificates> clientCertificates) {
    public Tls {
      certificateRefs = Absent.list(certificateRefs);
      clientCertificates = Absent.optional(clientCertificates);
    }

    public Tls(List<String> certificateRefs) {
      this(certificateRefs, Optional.empty());
    }
  }

  /** Whether a client without a certificate may still connect; a certificate it does present must verify. */
  public enum ClientCertificateMode { Required, Optional }

  /**
   * Mutual TLS on a listener: clients present certificates issued by the CA whose chain is the
   * certificate {@code caCertificateRef} (no key needed). The verified identity (subject, URI and
   * DNS SANs) reaches backends in X-Forwarded-Client-Cert, and auth-service in its Check; a client's
   * own X-Forwarded-Client-Cert is always dropped.
   */
  public record ClientCertificates(ClientCertificateMode mode, String caCertificateRef) {
    public ClientCertificates {
      mode = Absent.or(mode, ClientCertificateMode.Required);
    }
  }

  /**
   * Envoy beside one instance of an app. Inbound: Envoy listens on {@code inbound.port} and hands
   * every request to the app on 127.0.0.1:{@code inbound.appPort}, enforcing the inbound policies.
   * Outbound (optional): the app calls other services through Envoy on 127.0.0.1:{@code
   * outbound.port}, by Host. Connect (optional): the sidecar takes the Consul Connect identity of
   * {@code connect.service}, so inbound requires mTLS with Consul-issued certificates and follows
   * the service's intentions, and outbound calls to Connect clusters present that identity.
   */
  public record Sidecar(Inbound inbound, Optional<Outbound> outbound, Optional<Connect> connect) {
    public Sidecar {
      outbound = Absent.optional(outbound);
      connect = Absent.optional(connect);
    }

    public Sidecar(Inbound inbound, Optional<Outbound> outbound) {
      this(inbound, outbound, Optional.empty());
    }
  }

  /**
   * The Consul service whose Connect identity (leaf certificate, SPIFFE ID
   * {@code spiffe://<trust domain>/ns/default/dc/<dc>/svc/<service>}) a sidecar takes. Consul
   * signs a leaf for any name, registered or not; the control plane's /healthz lists the name
   * under {@code connectUnknownServices} while Consul's catalog does not.
   */
  public record Connect(String service) {}

  public record Inbound(Integer port, Integer appPort, Optional<String> authPolicy, Optional<String> rateLimitPolicy) {
    public Inbound {
      authPolicy = Absent.optional(authPolicy);
      rateLimitPolicy = Absent.optional(rateLimitPolicy);
    }
  }

  /**
   * Each of {@code clusters} is reachable as Host {@code <cluster name>}; routes attached to the
   * gateway's {@value Gateway#OUTBOUND_LISTENER} listener add finer routing (by path, header,
   * weight) for their hostnames, ahead of that default.
   */
  public record Outbound(Integer port, List<String> clusters) {
    public Outbound {
      clusters = Absent.list(clusters);
    }
  }
}
