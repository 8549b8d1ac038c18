package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import dev.embassy.config.model.DurationText;
import dev.embassy.config.model.Route;
import dev.embassy.controlplane.ir.HttpListener;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.XRateLimitHeadersRFCVersion;
import io.envoyproxy.envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.envoyproxy.envoy.type.v3.TokenBucket;
import java.util.List;

/**
 * Local rate limits: Envoy's token bucket, per Envoy and per route, answered 429 without a call to
 * ratelimit-service. The listener-level filter has no bucket, so it limits nothing; each route
 * with a LocalRateLimit filter gets its own bucket.
 */
final class LocalRateLimitFeature implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.local_ratelimit";
  private static final String STAT_PREFIX = "local_rate_limit";

  private static final HttpFilter HTTP_FILTER =
      HttpFilter.newBuilder().setName(FILTER).setTypedConfig(Any.pack(LocalRateLimit.newBuilder().setStatPrefix(STAT_PREFIX).build())).build();

  @Override
  public OnListener on(HttpListener listener) {
    return HttpFilterFeature.perRoute(listener, HTTP_FILTER, Route.Filter::localRateLimit, LocalRateLimitFeature::config);
  }

  private static LocalRateLimit config(Route.LocalRateLimit limit) {
    RuntimeFractionalPercent always = RuntimeFractionalPercent.newBuilder()
        .setDefaultValue(FractionalPercent.newBuilder().setNumerator(100).setDenominator(FractionalPercent.DenominatorType.HUNDRED))
        .build();
    return LocalRateLimit.newBuilder()
        .setStatPrefix(STAT_PREFIX)
        // A full bucket of `requests`, refilled whole every `per`: at most `requests` in any one window.
        .setTokenBucket(TokenBucket.newBuilder()
            .setMaxTokens(limit.requests())
            .setTokensPerFill(UInt32Value.of(limit.requests()))
            .setFillInterval(Durations.fromMillis(DurationText.of(limit.per()).toMillis())))
        .setFilterEnabled(always)
        .setFilterEnforced(always)
        .setEnableXRatelimitHeaders(XRateLimitHeadersRFCVersion.DRAFT_VERSION_03)
        .build();
  }
}
