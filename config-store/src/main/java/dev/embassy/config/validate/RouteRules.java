package dev.embassy.config.validate;

import dev.embassy.config.model.Route;
import dev.embassy.config.model.Route.BackendRef;
import dev.embassy.config.model.Route.Filter;
import dev.embassy.config.model.Route.FilterType;
import dev.embassy.config.model.Route.Header;
import dev.embassy.config.model.Route.HeaderModifier;
import dev.embassy.config.model.Route.Match;
import dev.embassy.config.model.Route.PathMatchType;
import dev.embassy.config.model.Route.PathModifier;
import dev.embassy.config.model.Route.PathModifierType;
import dev.embassy.config.model.Route.Rule;
import dev.embassy.config.model.Route.ValueMatch;
import dev.embassy.config.model.Route.ValueMatchType;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Gateway API HTTPRoute rules, plus what Envoy would reject in the resulting routes. */
final class RouteRules {
  private static final int MAX_RULES = 16;
  private static final int MAX_MATCHES = 64;
  private static final int MAX_FILTERS = 16;
  private static final int MAX_BACKENDS = 16;
  private static final int MAX_HEADERS = 16;
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  private static final Set<Integer> REDIRECT_CODES = Set.of(301, 302, 303, 307, 308);
  private static final Duration MAX_TIMEOUT = Duration.ofHours(1);
  private static final java.util.regex.Pattern ZERO = java.util.regex.Pattern.compile("0+(ms|s|m|h|d)");

  private RouteRules() {}

  static void check(Route route, Violations v) {
    Checks.name(v, "gateway", route.gateway());
    route.listener().ifPresent(listener -> Checks.name(v, "listener", listener));
    route.authPolicy().ifPresent(policy -> Checks.name(v, "authPolicy", policy));
    route.rateLimitPolicy().ifPresent(policy -> Checks.name(v, "rateLimitPolicy", policy));
    Checks.hostnames(v, route.hostnames(), 16);
    if (Checks.required(v, "rules", route.rules())) {
      Checks.maxSize(v, "rules", route.rules(), MAX_RULES);
    }
    for (int i = 0; i < route.rules().size(); i++) {
      rule(route.rules().get(i), v.at("rules", i));
    }
  }

  private static void rule(Rule rule, Violations v) {
    Checks.maxSize(v, "matches", rule.matches(), MAX_MATCHES);
    Checks.maxSize(v, "filters", rule.filters(), MAX_FILTERS);
    Checks.maxSize(v, "backendRefs", rule.backendRefs(), MAX_BACKENDS);
    for (int i = 0; i < rule.matches().size(); i++) {
      match(rule.matches().get(i), v.at("matches", i));
    }
    boolean redirects = false;
    boolean answers = false;
    for (int i = 0; i < rule.filters().size(); i++) {
      Filter filter = rule.filters().get(i);
      filter(filter, rule, v.at("filters", i));
      redirects |= filter.type() == FilterType.RequestRedirect;
      answers |= TrafficFilterRules.answersItself(filter);
    }
    Checks.unique(v, "filters", rule.filters(), Filter::type, "filter type given twice:");
    if (redirects && answers) {
      v.add("filters", "a rule answers either with a RequestRedirect or with a DirectResponse, not both");
    }
    if ((redirects || answers) && !rule.backendRefs().isEmpty()) {
      v.add("backendRefs", "a rule with a " + (redirects ? "RequestRedirect" : "DirectResponse") + " filter answers itself and takes no backendRefs");
    }
    if (!redirects && !answers) {
      backends(rule.backendRefs(), v);
    }
    rule.timeouts().ifPresent(timeouts -> {
      Violations at = v.at("timeouts");
      // Gateway API: a request timeout of 0s disables it (streaming); Envoy reads 0 the same way.
      Duration request = timeouts.request().filter(t -> !ZERO.matcher(t).matches()).map(t -> Checks.duration(at, "request", t, MAX_TIMEOUT)).orElse(null);
      Duration backend = timeouts.backendRequest().map(t -> Checks.duration(at, "backendRequest", t, MAX_TIMEOUT)).orElse(null);
      if (request != null && backend != null && backend.compareTo(request) > 0) {
        at.add("backendRequest", "must not exceed timeouts.request");
      }
    });
    // Envoy sends a cacheable request from the cache filter straight to the router, past the gRPC
    // filters that sit after it: such a rule would reach its gRPC backend untranslated.
    if (rule.responseCache() && (rule.grpcWeb() || rule.filters().stream().anyMatch(f -> f.grpcJsonTranscoding().isPresent()))) {
      v.add("responseCache", "cannot be combined with grpcWeb or a GrpcJsonTranscoding filter (Envoy's cache passes cacheable requests past them)");
    }
    rule.clientIps().ifPresent(ips -> ClientTrafficRules.clientIps(v.at("clientIps"), ips));
    rule.sessionAffinity().ifPresent(affinity -> ClientTrafficRules.sessionAffinity(v.at("sessionAffinity"), affinity));
    rule.retry().ifPresent(retry -> {
      Violations at = v.at("retry");
      Checks.range(at, "attempts", retry.attempts(), 0, 10);
      retry.backoff().ifPresent(b -> Checks.duration(at, "backoff", b, Duration.ofMinutes(1)));
      for (int i = 0; i < retry.codes().size(); i++) {
        Integer code = retry.codes().get(i);
        if (code == null || code < 400 || code > 599) {
          at.at("codes").add(Integer.toString(i), "retry codes must be HTTP status codes 400-599");
        }
      }
    });
  }

  private static void match(Match match, Violations v) {
    match.path().ifPresent(path -> {
      Violations at = v.at("path");
      if (path.type() == PathMatchType.RegularExpression) {
        Checks.regex(at, "value", path.value());
      } else if (Checks.required(at, "value", path.value())) {
        if (!path.value().startsWith("/")) {
          at.add("value", "must start with '/'");
        } else if (path.value().contains("?") || path.value().contains("#") || path.value().length() > 1024) {
          at.add("value", "must be a path of at most 1024 characters without '?' or '#'");
        } else if (path.value().chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
          // Envoy takes it but never matches it: a request path with control characters is refused
          // before routing.
          at.add("value", "must not contain control characters");
        }
      }
    });
    Checks.maxSize(v, "headers", match.headers(), 16);
    Checks.maxSize(v, "queryParams", match.queryParams(), 16);
    for (int i = 0; i < match.headers().size(); i++) {
      valueMatch(match.headers().get(i), v.at("headers", i), true);
    }
    for (int i = 0; i < match.queryParams().size(); i++) {
      valueMatch(match.queryParams().get(i), v.at("queryParams", i), false);
    }
    match.method().ifPresent(method -> {
      if (!METHODS.contains(method)) {
        v.add("method", "must be one of " + METHODS.stream().sorted().toList());
      }
    });
  }

  private static void valueMatch(ValueMatch match, Violations v, boolean header) {
    if (header) {
      Checks.headerName(v, "name", match.name());
    } else if (Checks.required(v, "name", match.name()) && match.name().length() > 256) {
      v.add("name", "at most 256 characters");
    }
    if (match.type() == ValueMatchType.RegularExpression) {
      Checks.regex(v, "value", match.value());
    } else {
      Checks.headerValue(v, "value", match.value());
    }
  }

  private static void filter(Filter filter, Rule rule, Violations v) {
    if (!Checks.required(v, "type", filter.type())) {
      return;
    }
    // Exactly the field named by type must be set, as in Gateway API; anything else is a typo
    // the operator would otherwise never learn about.
    List<Optional<?>> fields = List.of(
        filter.requestHeaderModifier(), filter.responseHeaderModifier(), filter.requestRedirect(),
        filter.urlRewrite(), filter.requestMirror(), filter.cors(),
        filter.directResponse(), filter.faultInjection(), filter.localRateLimit(), filter.requestBodyLimit(),
        filter.grpcJsonTranscoding());
    List<String> names = List.of("requestHeaderModifier", "responseHeaderModifier", "requestRedirect", "urlRewrite", "requestMirror", "cors",
        "directResponse", "faultInjection", "localRateLimit", "requestBodyLimit", "grpcJsonTranscoding");
    int expected = filter.type().ordinal();
    for (int i = 0; i < fields.size(); i++) {
      if (i == expected && fields.get(i).isEmpty()) {
        v.add(names.get(i), "is required for a " + filter.type() + " filter");
      } else if (i != expected && fields.get(i).isPresent()) {
        v.add(names.get(i), "does not belong to a " + filter.type() + " filter");
      }
    }
    TrafficFilterRules.check(filter, v);
    filter.requestHeaderModifier().ifPresent(m -> headerModifier(m, v.at("requestHeaderModifier")));
    filter.responseHeaderModifier().ifPresent(m -> headerModifier(m, v.at("responseHeaderModifier")));
    filter.requestRedirect().ifPresent(redirect -> {
      Violations at = v.at("requestRedirect");
      redirect.scheme().ifPresent(s -> {
        if (!s.equals("http") && !s.equals("https")) {
          at.add("scheme", "must be http or https");
        }
      });
      redirect.hostname().ifPresent(h -> Checks.preciseHostname(at, "hostname", h));
      redirect.port().ifPresent(p -> Checks.port(at, "port", p));
      redirect.path().ifPresent(p -> pathModifier(p, rule, at.at("path")));
      if (!REDIRECT_CODES.contains(redirect.statusCode())) {
        at.add("statusCode", "must be one of 301, 302, 303, 307, 308");
      }
    });
    filter.urlRewrite().ifPresent(rewrite -> {
      Violations at = v.at("urlRewrite");
      rewrite.hostname().ifPresent(h -> Checks.preciseHostname(at, "hostname", h));
      rewrite.path().ifPresent(p -> pathModifier(p, rule, at.at("path")));
      if (rewrite.hostname().isEmpty() && rewrite.path().isEmpty()) {
        at.here("needs hostname or path");
      }
    });
    filter.grpcJsonTranscoding().ifPresent(t -> {
      Violations at = v.at("grpcJsonTranscoding");
      Checks.name(at, "protoDescriptorSet", t.protoDescriptorSet());
      Checks.maxSize(at, "services", t.services(), 64);
      for (int i = 0; i < t.services().size(); i++) {
        String service = t.services().get(i);
        if (service == null || !service.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
          at.at("services").add(Integer.toString(i), "must be a fully qualified protobuf service name, e.g. acme.shop.v1.Orders");
        }
      }
    });
    filter.requestMirror().ifPresent(mirror -> {
      Violations at = v.at("requestMirror");
      Checks.name(at, "cluster", mirror.cluster());
      Checks.range(at, "percent", mirror.percent(), 0, 100);
    });
    filter.cors().ifPresent(cors -> {
      Violations at = v.at("cors");
      Checks.required(at, "allowOrigins", cors.allowOrigins());
      for (int i = 0; i < cors.allowOrigins().size(); i++) {
        String origin = cors.allowOrigins().get(i);
        if (!origin.equals("*") && !origin.matches("https?://(\\*\\.)?[a-z0-9.-]+(:[0-9]{1,5})?")) {
          at.at("allowOrigins").add(Integer.toString(i), "must be '*' or scheme://host[:port], host optionally starting with '*.'");
        }
      }
      for (int i = 0; i < cors.allowMethods().size(); i++) {
        String method = cors.allowMethods().get(i);
        if (!method.equals("*") && !METHODS.contains(method)) {
          at.at("allowMethods").add(Integer.toString(i), "must be '*' or an HTTP method");
        }
      }
      for (int i = 0; i < cors.allowHeaders().size(); i++) {
        Checks.token(at.at("allowHeaders"), Integer.toString(i), cors.allowHeaders().get(i));
      }
      for (int i = 0; i < cors.exposeHeaders().size(); i++) {
        Checks.token(at.at("exposeHeaders"), Integer.toString(i), cors.exposeHeaders().get(i));
      }
      if (cors.allowCredentials() && cors.allowOrigins().contains("*")) {
        at.add("allowCredentials", "browsers refuse credentials with a wildcard origin; list the origins");
      }
      cors.maxAge().ifPresent(age -> Checks.duration(at, "maxAge", age, Duration.ofDays(1)));
    });
  }

  private static void headerModifier(HeaderModifier modifier, Violations v) {
    // Gateway API's limit of 16 each; Envoy refuses more than 1000 headers_to_add per route
    // ("RequestHeadersToAdd: value must contain no more than 1000 item(s)").
    Checks.maxSize(v, "set", modifier.set(), MAX_HEADERS);
    Checks.maxSize(v, "add", modifier.add(), MAX_HEADERS);
    Checks.maxSize(v, "remove", modifier.remove(), MAX_HEADERS);
    headers(modifier.set(), v.at("set"));
    headers(modifier.add(), v.at("add"));
    for (int i = 0; i < modifier.remove().size(); i++) {
      Checks.modifiableHeaderName(v.at("remove"), Integer.toString(i), modifier.remove().get(i));
    }
    if (modifier.set().isEmpty() && modifier.add().isEmpty() && modifier.remove().isEmpty()) {
      v.here("needs at least one of set, add or remove");
    }
  }

  private static void headers(List<Header> headers, Violations v) {
    Checks.unique(v, "", headers, h -> h.name() == null ? null : h.name().toLowerCase(java.util.Locale.ROOT), "header given twice:");
    for (int i = 0; i < headers.size(); i++) {
      Checks.modifiableHeaderName(v.at(i), "name", headers.get(i).name());
      Checks.addedHeaderValue(v.at(i), "value", headers.get(i).value());
    }
  }

  private static void pathModifier(PathModifier modifier, Rule rule, Violations v) {
    if (!Checks.required(v, "type", modifier.type())) {
      return;
    }
    Checks.path(v, "value", modifier.value());
    // Gateway API: a prefix can only be replaced when every match of the rule is a prefix match.
    if (modifier.type() == PathModifierType.ReplacePrefixMatch) {
      boolean allPrefix = !rule.matches().isEmpty()
          && rule.matches().stream().allMatch(m -> m.path().map(p -> p.type() == PathMatchType.PathPrefix).orElse(false));
      if (!allPrefix) {
        v.add("type", "ReplacePrefixMatch needs every match of the rule to be a PathPrefix match");
      }
    }
  }

  private static void backends(List<BackendRef> backends, Violations v) {
    if (!Checks.required(v, "backendRefs", backends)) {
      return;
    }
    long total = 0;
    for (int i = 0; i < backends.size(); i++) {
      BackendRef backend = backends.get(i);
      Checks.name(v.at("backendRefs", i), "cluster", backend.cluster());
      Checks.range(v.at("backendRefs", i), "weight", backend.weight(), 0, 1_000_000);
      total += backend.weight();
    }
    // A rule whose weights sum to 0 sends nothing anywhere; Envoy and grpc-java NACK it
    // (istio #36021).
    if (total <= 0) {
      v.add("backendRefs", "backend weights must sum to more than 0");
    }
  }
}
