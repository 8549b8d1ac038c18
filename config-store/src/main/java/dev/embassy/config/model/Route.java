package dev.embassy.config.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP routing attached to a gateway, with the semantics of Gateway API's HTTPRoute: rules are
 * tried by match specificity, a rule matches when any of its matches does, and requests go to
 * its weighted backends.
 */
public record Route(
    String name,
    Map<String, String> labels,
    String gateway,
    Optional<String> listener,
    List<String> hostnames,
    List<Rule> rules,
    Optional<String> authPolicy,
    Optional<String> rateLimitPolicy)
    implements ConfigResource {
  public Route {
    labels = Absent.map(labels);
    listener = Absent.optional(listener);
    hostnames = Absent.list(hostnames);
    rules = Absent.list(rules);
    authPolicy = Absent.optional(authPolicy);
    rateLimitPolicy = Absent.optional(rateLimitPolicy);
  }

  @Override
  public ResourceKind kind() {
    return ResourceKind.ROUTE;
  }

  @Override
  public List<Reference> references() {
    List<Reference> refs = new ArrayList<>();
    if (gateway != null) {
      refs.add(new Reference(ResourceKind.GATEWAY, gateway, "/gateway"));
    }
    authPolicy.ifPresent(p -> refs.add(new Reference(ResourceKind.AUTH_POLICY, p, "/authPolicy")));
    rateLimitPolicy.ifPresent(p -> refs.add(new Reference(ResourceKind.RATELIMIT_POLICY, p, "/rateLimitPolicy")));
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      for (int j = 0; j < rule.backendRefs().size(); j++) {
        String cluster = rule.backendRefs().get(j).cluster();
        if (cluster != null) {
          refs.add(new Reference(ResourceKind.CLUSTER, cluster, "/rules/" + i + "/backendRefs/" + j + "/cluster"));
        }
      }
      for (int j = 0; j < rule.filters().size(); j++) {
        String pointer = "/rules/" + i + "/filters/" + j + "/requestMirror/cluster";
        rule.filters().get(j).requestMirror()
            .filter(m -> m.cluster() != null)
            .ifPresent(m -> refs.add(new Reference(ResourceKind.CLUSTER, m.cluster(), pointer)));
        String descriptorPointer = "/rules/" + i + "/filters/" + j + "/grpcJsonTranscoding/protoDescriptorSet";
        rule.filters().get(j).grpcJsonTranscoding()
            .filter(t -> t.protoDescriptorSet() != null)
            .ifPresent(t -> refs.add(new Reference(ResourceKind.PROTO_DESCRIPTOR_SET, t.protoDescriptorSet(), descriptorPointer)));
      }
    }
    return refs;
  }

  public record Rule(
      List<Match> matches,
      List<Filter> filters,
      List<BackendRef> backendRefs,
      Optional<Timeouts> timeouts,
      Optional<Retry> retry,
      Optional<ClientIps> clientIps,
      Optional<SessionAffinity> sessionAffinity,
      Boolean webSocket,
      Boolean exposeServerHeaders,
      Boolean grpcWeb,
      Boolean responseCache) {
    public Rule {
      matches = Absent.list(matches);
      filters = Absent.list(filters);
      backendRefs = Absent.list(backendRefs);
      timeouts = Absent.optional(timeouts);
      retry = Absent.optional(retry);
      clientIps = Absent.optional(clientIps);
      sessionAffinity = Absent.optional(sessionAffinity);
      webSocket = Absent.or(webSocket, false);
      exposeServerHeaders = Absent.or(exposeServerHeaders, false);
      grpcWeb = Absent.or(grpcWeb, false);
      responseCache = Absent.or(responseCache, false);
    }

    public Rule(List<Match> matches, List<Filter> filters, List<BackendRef> backendRefs, Optional<Timeouts> timeouts, Optional<Retry> retry) {
      this(matches, filters, backendRefs, timeouts, retry, Optional.empty(), Optional.empty(), false, false, false, false);
    }
  }

  public enum AffinityType { Header, Cookie, SourceIP }

  /**
   * Sends requests with the same key to the same endpoint, on clusters balanced by RING_HASH or
   * MAGLEV (other policies ignore the key): a request header's value, a cookie (Envoy sets it on
   * the first response when the client has none), or the client address.
   */
  public record SessionAffinity(AffinityType type, Optional<String> header, Optional<AffinityCookie> cookie) {
    public SessionAffinity {
      header = Absent.optional(header);
      cookie = Absent.optional(cookie);
    }
  }

  /** The cookie Envoy generates: its name, lifetime (required: Envoy sets none without) and path. */
  public record AffinityCookie(String name, String ttl, Optional<String> path) {
    public AffinityCookie {
      path = Absent.optional(path);
    }
  }

  /** All conditions of one match must hold. An empty match is PathPrefix "/". */
  public record Match(Optional<PathMatch> path, List<ValueMatch> headers, List<ValueMatch> queryParams, Optional<String> method) {
    public Match {
      path = Absent.optional(path);
      headers = Absent.list(headers);
      queryParams = Absent.list(queryParams);
      method = Absent.optional(method);
    }
  }

  public enum PathMatchType { Exact, PathPrefix, RegularExpression }

  public record PathMatch(PathMatchType type, String value) {
    public PathMatch {
      type = Absent.or(type, PathMatchType.PathPrefix);
    }
  }

  public enum ValueMatchType { Exact, RegularExpression }

  /** A header or query parameter condition. */
  public record ValueMatch(ValueMatchType type, String name, String value) {
    public ValueMatch {
      type = Absent.or(type, ValueMatchType.Exact);
    }
  }

  public enum FilterType {
    RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect, URLRewrite, RequestMirror, CORS,
    DirectResponse, FaultInjection, LocalRateLimit, RequestBodyLimit, GrpcJsonTranscoding
  }

  /**
   * One filter; exactly the field named by {@code type} is set, as in Gateway API. The first six
   * are Gateway API's; the rest are Embassy's (Gateway API leaves them to extensions).
   */
  public record Filter(
      FilterType type,
      Optional<HeaderModifier> requestHeaderModifier,
      Optional<HeaderModifier> responseHeaderModifier,
      Optional<Redirect> requestRedirect,
      Optional<UrlRewrite> urlRewrite,
      Optional<Mirror> requestMirror,
      Optional<Cors> cors,
      Optional<DirectResponse> directResponse,
      Optional<FaultInjection> faultInjection,
      Optional<LocalRateLimit> localRateLimit,
      Optional<RequestBodyLimit> requestBodyLimit,
      Optional<GrpcJsonTranscoding> grpcJsonTranscoding) {
    public Filter {
      requestHeaderModifier = Absent.optional(requestHeaderModifier);
      responseHeaderModifier = Absent.optional(responseHeaderModifier);
      requestRedirect = Absent.optional(requestRedirect);
      urlRewrite = Absent.optional(urlRewrite);
      requestMirror = Absent.optional(requestMirror);
      cors = Absent.optional(cors);
      directResponse = Absent.optional(directResponse);
      faultInjection = Absent.optional(faultInjection);
      localRateLimit = Absent.optional(localRateLimit);
      requestBodyLimit = Absent.optional(requestBodyLimit);
      grpcJsonTranscoding = Absent.optional(grpcJsonTranscoding);
    }
  }

  /**
   * Serves a gRPC backend to REST clients: Envoy maps each request to a method by the
   * {@code google.api.http} options in the descriptor set (and, with {@code autoMapping},
   * {@code POST /package.Service/Method} for every method), converts the JSON body to protobuf and
   * the reply back. {@code services} narrows which services are exposed; empty means every service
   * in the set. The rule's backends must speak HTTP/2 ({@code http2: true} on the cluster).
   */
  public record GrpcJsonTranscoding(String protoDescriptorSet, List<String> services, Boolean autoMapping) {
    public GrpcJsonTranscoding {
      services = Absent.list(services);
      autoMapping = Absent.or(autoMapping, false);
    }
  }

  /** Answers the request itself, with no backend: a fixed status and body. */
  public record DirectResponse(Integer status, Optional<String> body) {
    public DirectResponse {
      status = Absent.or(status, 200);
      body = Absent.optional(body);
    }
  }

  /** Chaos testing: delay and/or abort a share of the requests. */
  public record FaultInjection(Optional<FaultDelay> delay, Optional<FaultAbort> abort) {
    public FaultInjection {
      delay = Absent.optional(delay);
      abort = Absent.optional(abort);
    }
  }

  /** Holds {@code percent} of the requests for {@code duration} before passing them on. */
  public record FaultDelay(String duration, Integer percent) {
    public FaultDelay {
      percent = Absent.or(percent, 100);
    }
  }

  /** Answers {@code percent} of the requests with {@code status}, without a backend. */
  public record FaultAbort(Integer status, Integer percent) {
    public FaultAbort {
      percent = Absent.or(percent, 100);
    }
  }

  /**
   * Envoy's own token bucket, per Envoy and per route: {@code requests} per {@code per}, 429 past
   * it. Next to the global limits of rate-limit policies, without a call to ratelimit-service.
   */
  public record LocalRateLimit(Integer requests, String per) {}

  /** Requests whose body is larger than {@code maxBytes} are answered 413. */
  public record RequestBodyLimit(Integer maxBytes) {}

  public record HeaderModifier(List<Header> set, List<Header> add, List<String> remove) {
    public HeaderModifier {
      set = Absent.list(set);
      add = Absent.list(add);
      remove = Absent.list(remove);
    }
  }

  public record Header(String name, String value) {}

  public enum PathModifierType { ReplaceFullPath, ReplacePrefixMatch }

  public record PathModifier(PathModifierType type, String value) {}

  public record Redirect(
      Optional<String> scheme, Optional<String> hostname, Optional<Integer> port, Optional<PathModifier> path, Integer statusCode) {
    public Redirect {
      scheme = Absent.optional(scheme);
      hostname = Absent.optional(hostname);
      port = Absent.optional(port);
      path = Absent.optional(path);
      statusCode = Absent.or(statusCode, 302);
    }
  }

  public record UrlRewrite(Optional<String> hostname, Optional<PathModifier> path) {
    public UrlRewrite {
      hostname = Absent.optional(hostname);
      path = Absent.optional(path);
    }
  }

  /** Copies requests to another cluster, fire-and-forget; {@code percent} of them (default all). */
  public record Mirror(String cluster, Integer percent) {
    public Mirror {
      percent = Absent.or(percent, 100);
    }
  }

  public record Cors(
      List<String> allowOrigins,
      List<String> allowMethods,
      List<String> allowHeaders,
      List<String> exposeHeaders,
      Boolean allowCredentials,
      Optional<String> maxAge) {
    public Cors {
      allowOrigins = Absent.list(allowOrigins);
      allowMethods = Absent.list(allowMethods);
      allowHeaders = Absent.list(allowHeaders);
      exposeHeaders = Absent.list(exposeHeaders);
      allowCredentials = Absent.or(allowCredentials, false);
      maxAge = Absent.optional(maxAge);
    }
  }

  public record BackendRef(String cluster, Integer weight) {
    public BackendRef {
      weight = Absent.or(weight, 1);
    }
  }

  /** Gateway API timeouts: the whole request, and each attempt at a backend. */
  public record Timeouts(Optional<String> request, Optional<String> backendRequest) {
    public Timeouts {
      request = Absent.optional(request);
      backendRequest = Absent.optional(backendRequest);
    }
  }

  public record Retry(Integer attempts, Optional<String> backoff, List<Integer> codes) {
    public Retry {
      attempts = Absent.or(attempts, 1);
      backoff = Absent.optional(backoff);
      codes = Absent.list(codes);
    }
  }
}
