package dev.embassy.controlplane.quarantine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.controlplane.ir.NodeGroupBuilder;
import dev.embassy.controlplane.ir.TranslationSettings;
import dev.embassy.controlplane.translate.XdsTranslator;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The quarantine against a stand-in proxy that rejects any RouteConfiguration with a route whose
 * path regex contains {@code BAD}, driven through the real IR builder and translator: what ends up
 * served, what is quarantined, and how many round trips it took.
 */
class RouteQuarantineTest {
  private static final String BASE = """
      clusters: [{name: c, discovery: {static: {endpoints: [{address: 127.0.0.1, port: 1}]}}}]
      gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: 1000}]}]
      routes:
      """;

  /** A route on its own path; {@code bad} gives it a regex the stand-in proxy rejects. */
  private static String route(String name, boolean bad) {
    String match = bad
        ? "{path: {type: RegularExpression, value: \"/" + name + "/BAD\"}}"
        : "{path: {type: PathPrefix, value: \"/" + name + "\"}}";
    return "  - {name: " + name + ", gateway: edge, rules: [{matches: [" + match + "], backendRefs: [{cluster: c}]}]}\n";
  }

  /** Drives one proxy to a fixed point; returns the RouteConfiguration it ends up holding and the round trips taken. */
  private record Outcome(RouteConfiguration held, int roundTrips) {
    Set<String> routes() {
      return held.getVirtualHostsList().stream().flatMap(h -> h.getRoutesList().stream())
          .map(r -> RouteSuspects.embassyRoute(r.getName())).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static final class Proxy {
    final RouteQuarantine quarantine;
    RouteConfiguration held;

    Proxy(RouteQuarantine quarantine) {
      this.quarantine = quarantine;
    }

    Outcome serve(ConfigDocument raw, long revision) {
      int trips = 0;
      RouteConfiguration lastSent = null;
      while (true) {
        RouteConfiguration target = translate(quarantine.apply(raw, revision));
        if (target.equals(held) || target.equals(lastSent)) {
          return new Outcome(held, trips);
        }
        trips++;
        lastSent = target;
        String version = Integer.toHexString(target.hashCode());
        if (rejects(target)) {
          if (quarantine.rejected("edge", "proxy-1", target, held, target, "invalid repetition size", Instant.EPOCH)) {
            // As QuarantineController does: register the rebuilt trial, which the proxy may already hold.
            RouteConfiguration rebuilt = translate(quarantine.apply(raw, revision));
            String trial = Integer.toHexString(rebuilt.hashCode());
            quarantine.trial("edge", rebuilt.getName(), trial);
            if (rebuilt.equals(held)) {
              quarantine.accepted("edge", rebuilt.getName(), trial);
            }
          }
          continue;
        }
        held = target;
        quarantine.trial("edge", target.getName(), version);
        quarantine.accepted("edge", target.getName(), version);
      }
    }

    private static boolean rejects(RouteConfiguration config) {
      return config.getVirtualHostsList().stream().flatMap(h -> h.getRoutesList().stream())
          .map(Route::getMatch).anyMatch(m -> m.hasSafeRegex() && m.getSafeRegex().getRegex().contains("BAD"));
    }
  }

  private static RouteConfiguration translate(ConfigDocument document) {
    return XdsTranslator.translate(NodeGroupBuilder.build(document, TranslationSettings.defaults("127.0.0.1"), EndpointSource.NONE).getFirst())
        .routes().getFirst();
  }

  private static ConfigDocument document(List<String> routes) throws Exception {
    return ConfigJson.yaml().readValue(BASE + String.join("", routes), ConfigDocument.class);
  }

  @Test
  void aSingleBadNewRouteIsQuarantinedAtOnceAndLaterWritesFlow() throws Exception {
    RouteQuarantine quarantine = new RouteQuarantine();
    Proxy proxy = new Proxy(quarantine);
    List<String> routes = new ArrayList<>(List.of(route("good", false)));
    assertThat(proxy.serve(document(routes), 1).routes()).containsExactly("good");

    routes.add(route("bad", true));
    Outcome afterBad = proxy.serve(document(routes), 2);
    assertThat(afterBad.routes()).containsExactly("good");
    assertThat(afterBad.roundTrips()).as("one NACK; the group without it is what the proxy holds").isEqualTo(1);
    assertThat(quarantine.quarantined()).singleElement().satisfies(q -> {
      assertThat(q.name()).isEqualTo("bad");
      assertThat(q.nodeGroup()).isEqualTo("edge");
      assertThat(q.revision()).isEqualTo(2);
      assertThat(q.detail()).isEqualTo("invalid repetition size");
    });

    routes.add(route("other-team", false));
    Outcome later = proxy.serve(document(routes), 3);
    assertThat(later.routes()).as("another team's write is served while bad stays out").containsExactly("good", "other-team");
    assertThat(later.roundTrips()).isEqualTo(1);
  }

  @Test
  void fixingTheBadRouteLiftsTheQuarantine() throws Exception {
    RouteQuarantine quarantine = new RouteQuarantine();
    Proxy proxy = new Proxy(quarantine);
    proxy.serve(document(List.of(route("good", false), route("bad", true))), 1);
    assertThat(quarantine.quarantined()).hasSize(1);
    Outcome fixed = proxy.serve(document(List.of(route("good", false), route("bad", false))), 2);
    assertThat(fixed.routes()).containsExactly("bad", "good");
    assertThat(quarantine.quarantined()).isEmpty();
  }

  @Test
  void deletingTheBadRouteLiftsTheQuarantine() throws Exception {
    RouteQuarantine quarantine = new RouteQuarantine();
    Proxy proxy = new Proxy(quarantine);
    proxy.serve(document(List.of(route("good", false), route("bad", true))), 1);
    proxy.serve(document(List.of(route("good", false))), 2);
    assertThat(quarantine.quarantined()).isEmpty();
  }

  @Test
  void aBadUpdateKeepsServingTheRoutesEarlierVersion() throws Exception {
    RouteQuarantine quarantine = new RouteQuarantine();
    Proxy proxy = new Proxy(quarantine);
    proxy.serve(document(List.of(route("shop", false))), 1);
    Outcome updated = proxy.serve(document(List.of(route("shop", true))), 2);
    assertThat(quarantine.quarantined()).extracting(dev.embassy.config.store.Quarantines.Quarantined::name).containsExactly("shop");
    assertThat(updated.routes()).as("the version before the rejected change").containsExactly("shop");
    assertThat(updated.held().getVirtualHosts(0).getRoutes(0).getMatch().hasSafeRegex()).isFalse();
  }

  @Test
  void bisectionFindsEachBadRouteAmongManyChangedAtOnce() throws Exception {
    RouteQuarantine quarantine = new RouteQuarantine();
    Proxy proxy = new Proxy(quarantine);
    proxy.serve(document(List.of(route("base", false))), 1);
    List<String> burst = new ArrayList<>(List.of(route("base", false)));
    Set<String> bad = Set.of("r05", "r11");
    for (int i = 0; i < 16; i++) {
      String name = "r%02d".formatted(i);
      burst.add(route(name, bad.contains(name)));
    }
    Outcome outcome = proxy.serve(document(burst), 2);
    assertThat(quarantine.quarantined()).extracting(dev.embassy.config.store.Quarantines.Quarantined::name).containsExactlyInAnyOrderElementsOf(bad);
    assertThat(outcome.routes()).hasSize(15).doesNotContainAnyElementsOf(bad);
    assertThat(quarantine.onProbation()).isZero();
    assertThat(quarantine.bisecting()).isFalse();
    // 16 suspects, 2 bad: each bad route costs about 2·log2(16) round trips.
    assertThat(outcome.roundTrips()).isLessThanOrEqualTo(2 * 2 * 4 + 2);
  }
}
