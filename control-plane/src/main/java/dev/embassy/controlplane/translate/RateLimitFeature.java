package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import dev.embassy.config.model.DurationText;
import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.model.RateLimitPolicy.DescriptorEntry;
import dev.embassy.config.model.RateLimitPolicy.RequestDescriptor;
import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.NodeGroupBuilder;
import dev.embassy.controlplane.ir.RouteRule;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.ratelimit.v3.RateLimitServiceConfig;
import io.envoyproxy.envoy.config.route.v3.RateLimit;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimitPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.metadata.v3.MetadataKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Rate limiting through ratelimit-service: Envoy's rate-limit filter, and on each route with a
 * policy the descriptors Envoy builds per request (route rate_limits) and the policy's domain
 * (RateLimitPerRoute.domain), which is how ratelimit-service finds the policy.
 *
 * <p>The filter's timeout, failure mode and header mode are per filter, not per route, while
 * policies set them individually. So a listener gets one filter per distinct combination in use,
 * each with its own stage, and a route's descriptors carry the stage of its policy's filter: Envoy
 * runs only rate_limits whose stage matches the filter's. Envoy allows stages 0-10; should a
 * listener use more than 11 combinations, timeouts are merged to the longest per failure and
 * header mode (at most 4 filters), which only ever gives a policy more time.
 */
final class RateLimitFeature implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.ratelimit";
  /** Dynamic metadata namespace of the ext_authz filter, where auth-service puts the caller's claims. */
  static final String EXT_AUTHZ_METADATA = "envoy.filters.http.ext_authz";
  private static final int MAX_STAGES = 11;

  /** What one rate-limit filter instance fixes for all the routes it serves. */
  private record Stage(boolean failClosed, boolean headers, long timeoutMillis) implements Comparable<Stage> {
    private static final Comparator<Stage> ORDER = Comparator.comparing(Stage::failClosed)
        .thenComparing(Stage::headers).thenComparingLong(Stage::timeoutMillis);

    static Stage of(RateLimitPolicy policy) {
      return new Stage(policy.failureMode() == RateLimitPolicy.FailureMode.closed, policy.responseHeaders(),
          DurationText.of(policy.timeout()).toMillis());
    }

    @Override
    public int compareTo(Stage other) {
      return ORDER.compare(this, other);
    }
  }

  @Override
  public OnListener on(HttpListener listener) {
    List<Stage> stages = stages(listener);
    if (stages.isEmpty()) {
      return OnListener.UNUSED;
    }
    List<HttpFilter> filters = new ArrayList<>();
    for (int i = 0; i < stages.size(); i++) {
      filters.add(filter(i, stages.get(i)));
    }
    return new OnListener(filters, (rule, route) -> patchRoute(stages, rule, route));
  }

  private static HttpFilter filter(int index, Stage stage) {
    return HttpFilter.newBuilder()
        .setName(filterName(index))
        .setTypedConfig(Any.pack(io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit.newBuilder()
            // Required by Envoy; every route that reaches this filter overrides it with its
            // policy's domain.
            .setDomain("embassy")
            .setStage(index)
            .setTimeout(Durations.fromMillis(stage.timeoutMillis()))
            .setFailureModeDeny(stage.failClosed())
            .setEnableXRatelimitHeaders(stage.headers()
                ? io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit.XRateLimitHeadersRFCVersion.DRAFT_VERSION_03
                : io.envoyproxy.envoy.extensions.filters.http.ratelimit.v3.RateLimit.XRateLimitHeadersRFCVersion.OFF)
            .setRateLimitService(RateLimitServiceConfig.newBuilder()
                .setTransportApiVersion(ApiVersion.V3)
                .setGrpcService(GrpcService.newBuilder()
                    .setEnvoyGrpc(GrpcService.EnvoyGrpc.newBuilder().setClusterName(NodeGroupBuilder.RATELIMIT_CLUSTER))))
            .build()))
        .build();
  }

  private static void patchRoute(List<Stage> stages, RouteRule rule, Route.Builder route) {
    if (rule.rateLimit().isEmpty() || !route.hasRoute()) {
      // Redirects have no route action to carry rate_limits; Envoy answers them itself.
      return;
    }
    RateLimitPolicy policy = rule.rateLimit().get();
    int stage = stages.indexOf(stageOf(policy, stages));
    RouteAction.Builder action = route.getRouteBuilder();
    for (RequestDescriptor descriptor : policy.requestDescriptors()) {
      RateLimit.Builder limit = RateLimit.newBuilder().setStage(UInt32Value.of(stage));
      descriptor.entries().forEach(entry -> limit.addActions(action(entry)));
      action.addRateLimits(limit);
    }
    route.putTypedPerFilterConfig(filterName(stage), Any.pack(RateLimitPerRoute.newBuilder().setDomain(policy.domain()).build()));
  }

  private static RateLimit.Action action(DescriptorEntry entry) {
    RateLimit.Action.Builder action = RateLimit.Action.newBuilder();
    entry.genericKey().ifPresent(g -> action.setGenericKey(RateLimit.Action.GenericKey.newBuilder()
        .setDescriptorKey(g.key()).setDescriptorValue(g.value())));
    entry.requestHeader().ifPresent(h -> action.setRequestHeaders(RateLimit.Action.RequestHeaders.newBuilder()
        .setHeaderName(h.header()).setDescriptorKey(h.key())));
    entry.remoteAddress().ifPresent(a -> {
      if (a.v4PrefixLength().isEmpty() && a.v6PrefixLength().isEmpty()) {
        action.setRemoteAddress(RateLimit.Action.RemoteAddress.getDefaultInstance());
      } else {
        RateLimit.Action.MaskedRemoteAddress.Builder masked = RateLimit.Action.MaskedRemoteAddress.newBuilder();
        a.v4PrefixLength().ifPresent(n -> masked.setV4PrefixMaskLen(UInt32Value.of(n)));
        a.v6PrefixLength().ifPresent(n -> masked.setV6PrefixMaskLen(UInt32Value.of(n)));
        action.setMaskedRemoteAddress(masked);
      }
    });
    entry.claim().ifPresent(c -> action.setMetadata(RateLimit.Action.MetaData.newBuilder()
        .setDescriptorKey(c.key())
        .setMetadataKey(MetadataKey.newBuilder().setKey(EXT_AUTHZ_METADATA)
            .addPath(MetadataKey.PathSegment.newBuilder().setKey(c.claim())))
        .setSource(RateLimit.Action.MetaData.Source.DYNAMIC)));
    return action.build();
  }

  private static String filterName(int stage) {
    return stage == 0 ? FILTER : FILTER + ".stage-" + stage;
  }

  /** The filter stages of a listener, in a fixed order so the same config always gives the same stages. */
  private static List<Stage> stages(HttpListener listener) {
    TreeSet<Stage> exact = new TreeSet<>();
    policies(listener).forEach(p -> exact.add(Stage.of(p)));
    if (exact.size() <= MAX_STAGES) {
      return List.copyOf(exact);
    }
    TreeSet<Stage> merged = new TreeSet<>();
    for (Stage stage : exact) {
      merged.removeIf(s -> s.failClosed() == stage.failClosed() && s.headers() == stage.headers());
      merged.add(stage);  // ascending order: the last one of each kind has the longest timeout
    }
    return List.copyOf(merged);
  }

  private static Stage stageOf(RateLimitPolicy policy, List<Stage> stages) {
    Stage exact = Stage.of(policy);
    if (stages.contains(exact)) {
      return exact;
    }
    Optional<Stage> merged = stages.stream()
        .filter(s -> s.failClosed() == exact.failClosed() && s.headers() == exact.headers()).findFirst();
    return merged.orElseThrow();
  }

  private static List<RateLimitPolicy> policies(HttpListener listener) {
    return listener.virtualHosts().stream().flatMap(h -> h.routes().stream())
        .map(RouteRule::rateLimit).flatMap(Optional::stream).toList();
  }
}
