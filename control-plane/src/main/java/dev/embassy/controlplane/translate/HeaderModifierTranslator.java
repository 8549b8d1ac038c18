package dev.embassy.controlplane.translate;

import dev.embassy.config.model.Route;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import java.util.List;

/** Gateway API Request/ResponseHeaderModifier: set overwrites, add appends, remove removes. */
final class HeaderModifierTranslator {
  private HeaderModifierTranslator() {}

  static void apply(List<Route.Filter> filters, io.envoyproxy.envoy.config.route.v3.Route.Builder route) {
    for (Route.Filter filter : filters) {
      filter.requestHeaderModifier().ifPresent(m -> {
        m.set().forEach(h -> route.addRequestHeadersToAdd(option(h, HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)));
        m.add().forEach(h -> route.addRequestHeadersToAdd(option(h, HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD)));
        route.addAllRequestHeadersToRemove(m.remove());
      });
      filter.responseHeaderModifier().ifPresent(m -> {
        m.set().forEach(h -> route.addResponseHeadersToAdd(option(h, HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)));
        m.add().forEach(h -> route.addResponseHeadersToAdd(option(h, HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD)));
        route.addAllResponseHeadersToRemove(m.remove());
      });
    }
  }

  private static HeaderValueOption option(Route.Header header, HeaderValueOption.HeaderAppendAction action) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(header.name()).setValue(header.value()))
        .setAppendAction(action)
        .build();
  }
}
