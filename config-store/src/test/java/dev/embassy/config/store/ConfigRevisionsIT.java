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
}
