package dev.embassy.controlplane.translate;

import dev.embassy.config.model.Route;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import java.util.Optional;

/** A rule that answers itself: Envoy's direct_response, no backend involved. */
final class DirectResponseTranslator {
  private DirectResponseTranslator() {}

  /** The direct response of {@code rule}, if one of its filters asks for it. */
  static Optional<DirectResponseAction> of(Route.Rule rule) {
    return rule.filters().stream().flatMap(f -> f.directResponse().stream()).findFirst().map(DirectResponseTranslator::action);
  }

  private static DirectResponseAction action(Route.DirectResponse response) {
    DirectResponseAction.Builder action = DirectResponseAction.newBuilder().setStatus(response.status());
    response.body().ifPresent(body -> action.setBody(DataSource.newBuilder().setInlineString(body)));
    return action.build();
  }
}
