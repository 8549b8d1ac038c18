package dev.embassy.controlplane.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.controlplane.ir.MeshIntentions;
import dev.embassy.discovery.ConnectIntention;
import dev.embassy.discovery.ConnectIntention.Action;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The intentions that decide for one destination, in Consul's precedence order (its docs' table:
 * exact source and destination 9, any source to an exact destination 8, exact source to any
 * destination 6, any to any 5); the first that names a caller decides.
 */
class ConnectIntentionOrderTest {
  @Test
  void exactDestinationsComeFirstThenExactSources() {
    List<ConnectIntention> all = List.of(
        new ConnectIntention("*", "*", Action.DENY, 5),
        new ConnectIntention("web", "*", Action.ALLOW, 6),
        new ConnectIntention("*", "api", Action.ALLOW, 8),
        new ConnectIntention("web", "api", Action.DENY, 9),
        new ConnectIntention("web", "billing", Action.ALLOW, 9));
    assertThat(ConsulConnect.rules(all, "api")).containsExactly(
        new MeshIntentions.Rule("web", false),
        new MeshIntentions.Rule("*", true),
        new MeshIntentions.Rule("web", true),
        new MeshIntentions.Rule("*", false));
  }

  @Test
  void intentionsForOtherDestinationsDoNotApply() {
    assertThat(ConsulConnect.rules(List.of(new ConnectIntention("web", "billing", Action.DENY, 9)), "api")).isEmpty();
  }
}
