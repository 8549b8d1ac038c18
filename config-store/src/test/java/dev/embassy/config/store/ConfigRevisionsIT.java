package dev.embassy.config.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class ConfigRevisionsIT {
  private DataSource dataSource;
  private DSLContext db;

  @BeforeEach
  void migrate(TestDatabase database) {
    dataSource = database.dataSource();
    ConfigSchema.migrate(dataSource);
    db = DSL.using(dataSource, SQLDialect.POSTGRES);
  }

  @Test
  void migrationIsIdempotentAcrossRestarts() {
    assertThat(ConfigSchema.migrate(dataSource).migrationsExecuted).isZero();
  }

  @Test
  void revisionsAreMonotonicAndAnnouncedOnlyAfterCommit() throws Exception {
    try (RevisionNotifications notifications = RevisionNotifications.listen(dataSource)) {
      long[] ids = new long[2];
      db.transaction(tx -> {
        ids[0] = ConfigRevisions.append(tx.dsl(), 0, "alice", "write", "add route", "[{\"kind\":\"route\",\"name\":\"a\",\"op\":\"create\"}]").id();
        // Inside the open transaction nothing may be announced yet.
        assertThat(notifications.await(200)).isEmpty();
      });
      ids[1] = db.transactionResult(tx -> ConfigRevisions.append(tx.dsl(), 0, "bob", "write", "edit route", "[]").id());

      assertThat(ids[1]).isGreaterThan(ids[0]);
      assertThat(awaitIds(notifications, 2)).containsExactly(ids[0], ids[1]);
      assertThat(ConfigRevisions.latest(db)).get()
          .satisfies(latest -> {
            assertThat(latest.id()).isEqualTo(ids[1]);
            assertThat(latest.author()).isEqualTo("bob");
          });
    }
  }

  @Test
  void rolledBackRevisionIsNeitherStoredNorAnnounced() throws Exception {
    try (RevisionNotifications notifications = RevisionNotifications.listen(dataSource)) {
      assertThatThrownBy(() -> db.transaction(tx -> {
            ConfigRevisions.append(tx.dsl(), 0, "mallory", "write", "half a change", "[]");
            throw new IllegalStateException("validation failed after the revision was written");
          }))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("validation failed");

      assertThat(notifications.await(300)).isEmpty();
      assertThat(ConfigRevisions.latest(db)).isEmpty();
    }
  }

  @Test
  void changesMustBeAJsonArray() {
    assertThatThrownBy(() -> db.transaction(tx -> ConfigRevisions.append(tx.dsl(), 0, "alice", "write", "bad", "{}")))
        .hasMessageContaining("changes_check");
    assertThat(ConfigRevisions.latest(db)).isEmpty();
  }

  private static List<Long> awaitIds(RevisionNotifications notifications, int count) throws Exception {
    List<Long> ids = new ArrayList<>();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (ids.size() < count && System.nanoTime() < deadline) {
      ids.addAll(notifications.await(100));
    }
    return ids;
  }

  @Test
  void followingByChangesGivesExactlyTheFullSnapshotAtEveryRevision() throws Exception {
    ConfigStore store = new ConfigStore(dataSource);
    ConfigSnapshot followed = store.snapshot();
    List<String> documents = List.of(
        """
        certificates: [{name: site, certificateChain: "%s", privateKey: "%s"}]
        clusters: [{name: a, discovery: {static: {endpoints: [{address: 127.0.0.1, port: 8080}]}}}]
        gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: 10000}]}]
        routes: [{name: r1, gateway: edge, rules: [{backendRefs: [{cluster: a}]}]}]
        """,
        """
        certificates: [{name: site, certificateChain: "%s", privateKey: "%s"}]
        clusters:
          - {name: a, discovery: {static: {endpoints: [{address: 127.0.0.1, port: 8081}]}}}
          - {name: b, discovery: {static: {endpoints: [{address: 127.0.0.1, port: 9090}]}}}
        gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: 10000}]}]
        routes:
          - {name: r1, gateway: edge, rules: [{matches: [{path: {value: /one}}], backendRefs: [{cluster: b}]}]}
          - {name: r2, gateway: edge, rules: [{matches: [{path: {value: /two}}], backendRefs: [{cluster: a}]}]}
        """,
        """
        clusters: [{name: b, discovery: {static: {endpoints: [{address: 127.0.0.1, port: 9090}]}}}]
        gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: 10000}]}]
        routes: [{name: r2, gateway: edge, rules: [{backendRefs: [{cluster: b}]}]}]
        """);
    List<Long> revisions = new ArrayList<>();
    for (String yaml : documents) {
      String filled = yaml.contains("%s") ? yaml.formatted(TestCertificates.CHAIN, TestCertificates.KEY, TestCertificates.CHAIN, TestCertificates.KEY) : yaml;
      revisions.add(store.apply(dev.embassy.config.codec.ConfigJson.yaml().readValue(filled, dev.embassy.config.model.ConfigDocument.class),
          true, false, "it", "step").revision().orElseThrow().id());
      followed = store.snapshotAfter(followed);
      assertThat(followed).isEqualTo(store.snapshot());
    }
    store.rollback(revisions.getFirst(), "it");
    followed = store.snapshotAfter(followed);
    assertThat(followed).isEqualTo(store.snapshot());
    assertThat(followed.document().certificates().getFirst().privateKey()).as("keys come along, as in a full snapshot").isPresent();
    assertThat(store.snapshotAfter(followed)).as("nothing new: the same snapshot").isSameAs(followed);
  }
}
