package dev.embassy.config.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * The audit log: who did what, when, and for config writes from which revision to which. Config
 * revisions enter it by trigger; other administrative writes (admin tokens) are recorded here.
 */
public final class AuditLog {
  private final DSLContext db;

  public AuditLog(DataSource dataSource) {
    this.db = DSL.using(dataSource, SQLDialect.POSTGRES);
  }

  /** One entry; revisions are 0 when the event changed no config. */
  public record Event(long id, Instant at, String actor, String action, String summary, long fromRevision, long toRevision, String detailJson) {}

  public void record(String actor, String action, String summary) {
    db.execute("INSERT INTO audit_event (actor, action, summary) VALUES (?, ?, ?)", actor, action, summary);
  }

  /** Newest first, strictly older than {@code beforeId} when it is positive. */
  public List<Event> page(long beforeId, int limit) {
    return db.resultQuery("SELECT id, at, actor, action, summary, from_revision, to_revision, detail::text FROM audit_event "
            + "WHERE (? <= 0 OR id < ?) ORDER BY id DESC LIMIT ?", beforeId, beforeId, limit)
        .fetch(r -> new Event(r.get(0, Long.class), r.get(1, OffsetDateTime.class).toInstant(), r.get(2, String.class),
            r.get(3, String.class), r.get(4, String.class), orZero(r.get(5, Long.class)), orZero(r.get(6, Long.class)), r.get(7, String.class)));
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }
}
