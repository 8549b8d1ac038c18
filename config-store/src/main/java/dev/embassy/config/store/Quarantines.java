package dev.embassy.config.store;

import dev.embassy.config.model.ResourceKind;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * Resources control-plane replicas keep out of what Envoys are served after an Envoy rejected
 * them (the replicas write it; the admin API shows it on the resource, in {@code /api/v1/nacks}
 * and in {@code ?wait=} answers). A replica is live while its proxy status is fresh.
 */
public final class Quarantines {
  private final DSLContext db;

  public Quarantines(DataSource dataSource) {
    this.db = DSL.using(dataSource, SQLDialect.POSTGRES);
  }

  /** One resource kept out: where, since which revision, and what the proxy said. */
  public record Quarantined(ResourceKind kind, String name, String nodeGroup, long revision, String proxyId, String detail, Instant since) {}

  /** Replaces what {@code replica} reported before with {@code quarantined}, in one transaction. */
  public void replace(String replica, List<Quarantined> quarantined) {
    db.transaction(c -> {
      DSLContext tx = c.dsl();
      tx.execute("DELETE FROM quarantined_resource WHERE replica = ?", replica);
      for (Quarantined q : quarantined) {
        tx.execute("INSERT INTO quarantined_resource (replica, kind, name, node_group, revision, proxy_id, detail, since) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?::timestamptz) ON CONFLICT DO NOTHING",
            replica, q.kind().pathSegment(), q.name(), q.nodeGroup(), q.revision(), q.proxyId(),
            q.detail().length() > 4000 ? q.detail().substring(0, 4000) : q.detail(),
            OffsetDateTime.ofInstant(q.since(), ZoneOffset.UTC).toString());
      }
    });
  }

  /** Everything live replicas keep out, oldest first. */
  public List<Quarantined> all() {
    return query(null, null);
  }

  /** Whether, and why, live replicas keep {@code kind}/{@code name} out. */
  public Optional<Quarantined> of(ResourceKind kind, String name) {
    return query(kind, name).stream().findFirst();
  }

  private List<Quarantined> query(ResourceKind kind, String name) {
    String segment = kind == null ? null : kind.pathSegment();
    return db.resultQuery("SELECT kind, name, node_group, revision, proxy_id, detail, since FROM quarantined_resource q "
                + "WHERE (?::text IS NULL OR (kind = ? AND name = ?)) AND EXISTS (SELECT 1 FROM proxy_status p "
                + "WHERE p.replica = q.replica AND p.updated_at > now() - make_interval(secs => ?)) ORDER BY since, kind, name",
            segment, segment, name, ProxyStatuses.STALE_AFTER_SECONDS)
        .fetch(r -> new Quarantined(ResourceKind.byPathSegment(r.get(0, String.class)).orElseThrow(), r.get(1, String.class), r.get(2, String.class), r.get(3, Long.class),
            r.get(4, String.class), r.get(5, String.class), r.get(6, OffsetDateTime.class).toInstant()));
  }
}
