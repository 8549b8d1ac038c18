package dev.embassy.store;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.time.OffsetDateTime;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.Table;

/** Reads and appends config revisions. Appending inside a caller's transaction is the point. */
public final class ConfigRevisions {
  private static final Table<Record> REVISION = table(name("config_revision"));
  private static final Field<Long> ID = field(name("id"), Long.class);
  private static final Field<OffsetDateTime> CREATED_AT = field(name("created_at"), OffsetDateTime.class);
  private static final Field<String> AUTHOR = field(name("author"), String.class);
  private static final Field<String> SUMMARY = field(name("summary"), String.class);
  private static final Field<JSONB> CHANGES = field(name("changes"), JSONB.class);

  private ConfigRevisions() {}

  /**
   * Records a revision in the transaction of {@code tx}; it becomes visible, and is announced on
   * the {@code embassy_config_revision} channel, only when that transaction commits.
   */
  public static ConfigRevision append(DSLContext tx, String author, String summary, String changesJson) {
    Record row =
        tx.insertInto(REVISION)
            .columns(AUTHOR, SUMMARY, CHANGES)
            .values(author, summary, JSONB.valueOf(changesJson))
            .returning(ID, CREATED_AT, AUTHOR, SUMMARY, CHANGES)
            .fetchOne();
    return toRevision(row);
  }

  public static Optional<ConfigRevision> latest(DSLContext db) {
    return db.select(ID, CREATED_AT, AUTHOR, SUMMARY, CHANGES)
        .from(REVISION)
        .orderBy(ID.desc())
        .limit(1)
        .fetchOptional()
        .map(ConfigRevisions::toRevision);
  }

  private static ConfigRevision toRevision(Record row) {
    return new ConfigRevision(
        row.get(ID), row.get(CREATED_AT).toInstant(), row.get(AUTHOR), row.get(SUMMARY), row.get(CHANGES).data());
  }
}
