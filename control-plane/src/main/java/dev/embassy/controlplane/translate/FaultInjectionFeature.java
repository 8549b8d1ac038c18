package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import dev.embassy.config.model.DurationText;
import dev.embassy.config.model.Route;
import dev.embassy.controlplane.ir.HttpListener;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.List;

/**
 * Fault injection for chaos testing: Envoy's fault filter on listeners with a route that asks for
 * it, configured per route. The listener-level config injects nothing, so routes without a fault
 * pass untouched.
 */
final class FaultInjectionFeature implements HttpFilterFeature {
  static final String FILTER = "envoy.filters.http.fault";

  private static final HttpFilter HTTP_FILTER =
      HttpFilter.newBuilder().setName(FILTER).setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())).build();

  @Override
  public OnListener on(HttpListener listener) {
    return HttpFilterFeature.perRoute(listener, HTTP_FILTER, Route.Filter::faultInjection, FaultInjectionFeature::config);
  }

  private static HTTPFault config(Route.FaultInjection fault) {
    HTTPFault.Builder config = HTTPFault.newBuilder();
    fault.delay().ifPresent(delay -> config.setDelay(FaultDelay.newBuilder()
        .setFixedDelay(Durations.fromMillis(DurationText.of(delay.duration()).toMillis()))
        .setPercentage(percent(delay.percent()))));
    fault.abort().ifPresent(abort -> config.setAbort(FaultAbort.newBuilder()
        .setHttpStatus(abort.status())
        .setPercentage(percent(abort.percent()))));
    return config.build();
  }

  private static FractionalPercent percent(int percent) {
    return FractionalPercent.newBuilder().setNumerator(percent).setDenominator(FractionalPercent.DenominatorType.HUNDRED).build();
  }
}
