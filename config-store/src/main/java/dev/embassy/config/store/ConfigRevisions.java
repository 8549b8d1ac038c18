package dev.embassy.config.store;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.Table;

/** The revision chain: appended inside write transactions, read for history, diff and audit. */
public final class ConfigRevisions {
  /** Advisory lock key that serialises all config writes; any constant unique to Embassy. */
  static final long WRITE_LOCK = 0x656d6261_73737931L;

  private static final Table<Record> REVISION = table(name("config_revision"));
  private static final Field<Long> ID = field(name("id"), Long.class);
  private static final Field<Long> PARENT_ID = field(name("parent_id"), Long.class);
  private static final Field<OffsetDateTime> CREATED_AT = field(name("created_at"), OffsetDateTime.class);
  private static final Field<String> AUTHOR = field(name("author"), String.class);
  private static final Field<String> OPERATION = field(name("operation"), String.class);
  private static final Field<String> SUMMARY = field(name("summary"), String.class);
  private static final Field<JSONB> CHANGES = field(name("changes"), JSONB.class);

  private ConfigRevisions() {}

  /**
   * Serialises this transaction with every other config write and returns the latest revision id
   * (0 when there is none). Held until commit or rollback.
   */
  static long lockForWrite(DSLContext tx) {
    tx.execute("SELECT pg_advisory_xact_lock(?)", WRITE_LOCK);
    return latestId(tx);
  }

  static long latestId(DSLContext db) {
    Long id = db.select(org.jooq.impl.DSL.max(ID)).from(REVISION).fetchOne(0, Long.class);
    return id == null ? 0 : id;
  }

  /**
   * Records a revision in the transaction of {@code tx}; it becomes visible, and is announced on
   * the {@code embassy_config_revision} channel, only when that transaction commits.
   */
  public static ConfigRevision append(DSLContext tx, long parentId, String author, String operation, String summary, String changesJson) {
    Record row =
        tx.insertInto(REVISION)
            .columns(PARENT_ID, AUTHOR, OPERATION, SUMMARY, CHANGES)
            .values(parentId == 0 ? null : parentId, author, operation, summary, JSONB.valueOf(changesJson))
            .returning(ID, PARENT_ID, CREATED_AT, AUTHOR, OPERATION, SUMMARY, CHANGES)
            .fetchOne();
    return toRevision(row);
  }

  public static Optional<ConfigRevision> latest(DSLContext db) {
    return select(db).orderBy(ID.desc()).limit(1).fetchOptional().map(ConfigRevisions::toRevision);
  }

  public static Optional<ConfigRevision> byId(DSLContext db, long id) {
    return select(db).where(ID.eq(id)).fetchOptional().map(ConfigRevisions::toRevision);
  }

  /** Newest first, strictly older than {@code beforeId} when it is positive. */
  public static List<ConfigRevision> page(DSLContext db, long beforeId, int limit) {
    return select(db)
        .where(beforeId > 0 ? ID.lt(beforeId) : org.jooq.impl.DSL.noCondition())
        .orderBy(ID.desc())
        .limit(limit)
        .fetch(ConfigRevisions::toRevision);
  }

  private static org.jooq.SelectJoinStep<? extends Record> select(DSLContext db) {
    return db.select(ID, PARENT_ID, CREATED_AT, AUTHOR, OPERATION, SUMMARY, CHANGES).from(REVISION);
  }

  private static ConfigRevision toRevision(Record row) {
    Long parent = row.get(PARENT_ID);
    return new ConfigRevision(
        row.get(ID), parent == null ? 0 : parent, row.get(CREATED_AT).toInstant(), row.get(AUTHOR),
        row.get(OPERATION), row.get(SUMMARY), row.get(CHANGES).data());
  }
}
