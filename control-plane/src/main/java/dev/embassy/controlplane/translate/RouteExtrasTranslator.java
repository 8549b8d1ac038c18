package dev.embassy.controlplane.translate;

import com.google.protobuf.util.Durations;
import dev.embassy.config.model.DurationText;
import dev.embassy.config.model.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import java.util.List;

/**
 * What a rule sets on its route besides where requests go: WebSocket upgrades, the hash key of
 * session affinity, and the default removal of headers that tell attackers what runs behind the
 * gateway.
 */
final class RouteExtrasTranslator {
  /** Upstream headers naming server software; removed from responses unless the rule keeps them. */
  static final List<String> SERVER_HEADERS = List.of("server", "x-powered-by");

  private RouteExtrasTranslator() {}

  static void action(Route.Rule rule, RouteAction.Builder action) {
    if (rule.webSocket()) {
      action.addUpgradeConfigs(RouteAction.UpgradeConfig.newBuilder().setUpgradeType("websocket"));
    }
    rule.sessionAffinity().ifPresent(affinity -> action.addHashPolicy(switch (affinity.type()) {
      case Header -> RouteAction.HashPolicy.newBuilder().setHeader(RouteAction.HashPolicy.Header.newBuilder()
          .setHeaderName(affinity.header().orElseThrow()));
      case Cookie -> {
        Route.AffinityCookie cookie = affinity.cookie().orElseThrow();
        RouteAction.HashPolicy.Cookie.Builder envoy = RouteAction.HashPolicy.Cookie.newBuilder().setName(cookie.name())
            // With a ttl Envoy generates the cookie when the request has none.
            .setTtl(Durations.fromMillis(DurationText.of(cookie.ttl()).toMillis()));
        cookie.path().ifPresent(envoy::setPath);
        yield RouteAction.HashPolicy.newBuilder().setCookie(envoy);
      }
      case SourceIP -> RouteAction.HashPolicy.newBuilder().setConnectionProperties(
          RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true));
    }));
  }

  static void route(Route.Rule rule, io.envoyproxy.envoy.config.route.v3.Route.Builder route) {
    if (!rule.exposeServerHeaders()) {
      route.addAllResponseHeadersToRemove(SERVER_HEADERS);
    }
  }
}
