package dev.embassy.config.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.validate.FieldError;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two gateways of one node group on one port are refused however the write arrives (create,
 * replace, apply), and an apply is judged on the config it produces: swapping two gateways' ports
 * in one document is fine, though either half alone would conflict.
 */
@ExtendWith(PostgresExtension.class)
class GatewayPortsIT {
  private ConfigStore store;

  @BeforeEach
  void seed(TestDatabase database) throws Exception {
    ConfigSchema.migrate(database.dataSource());
    store = new ConfigStore(database.dataSource());
    store.apply(document("""
        gateways:
          - {name: a, nodeGroup: edge, listeners: [{name: http, port: 10000}]}
          - {name: b, nodeGroup: edge, listeners: [{name: http, port: 10001}]}
        """), true, false, "it", "seed");
  }

  private static ConfigDocument document(String yaml) throws Exception {
    return ConfigJson.yaml().readValue(yaml, ConfigDocument.class);
  }

  private static Gateway gateway(String yaml) throws Exception {
    return ConfigJson.yaml().readValue(yaml, Gateway.class);
  }

  @Test
  void swappingPortsInOneApplyIsJudgedOnTheResult() throws Exception {
    store.apply(document("""
        gateways:
          - {name: a, nodeGroup: edge, listeners: [{name: http, port: 10001}]}
          - {name: b, nodeGroup: edge, listeners: [{name: http, port: 10000}]}
        """), false, false, "it", "swap");
    assertThat(((Gateway) store.get(dev.embassy.config.model.ResourceKind.GATEWAY, "b").orElseThrow().resource()).listeners().getFirst().port())
        .isEqualTo(10000);
  }

  @Test
  void applyingHalfOfTheSwapIsRefusedAndChangesNothing() throws Exception {
    long before = store.latestRevision();
    assertThatThrownBy(() -> store.apply(document("""
        gateways: [{name: a, nodeGroup: edge, listeners: [{name: http, port: 10001}]}]
        """), false, false, "it", "half"))
        .isInstanceOfSatisfying(StoreException.Invalid.class, e -> assertThat(e.errors()).singleElement().satisfies(error -> {
          assertThat(error.pointer()).isEqualTo("/gateways/0/listeners/0/port");
          assertThat(error.detail()).contains("gateway b (listener http)");
        }));
    assertThat(store.latestRevision()).isEqualTo(before);
  }

  @Test
  void creatingOrReplacingOntoATakenPortIsRefused() throws Exception {
    long before = store.latestRevision();
    assertThatThrownBy(() -> store.create(gateway("{name: c, nodeGroup: edge, listeners: [{name: web, port: 10000}]}"), "it", "c"))
        .isInstanceOfSatisfying(StoreException.Invalid.class, e ->
            assertThat(e.errors()).extracting(FieldError::pointer).containsExactly("/listeners/0/port"));
    assertThatThrownBy(() -> store.replace(gateway("{name: b, nodeGroup: edge, listeners: [{name: http, port: 10000}]}"), OptionalLong.empty(), "it", "b"))
        .isInstanceOfSatisfying(StoreException.Invalid.class, e ->
            assertThat(e.errors()).extracting(FieldError::detail).singleElement().asString().contains("gateway a (listener http)"));
    assertThat(store.latestRevision()).isEqualTo(before);
    // The gateway's own stored version is not a peer: rewriting it on its own port is fine.
    store.replace(gateway("{name: b, nodeGroup: edge, listeners: [{name: http, port: 10001}, {name: alt, port: 10002}]}"), OptionalLong.empty(), "it", "b");
    // Another node group is other Envoys with their own ports.
    store.create(gateway("{name: c, nodeGroup: internal, listeners: [{name: web, port: 10000}]}"), "it", "c");
  }
}
