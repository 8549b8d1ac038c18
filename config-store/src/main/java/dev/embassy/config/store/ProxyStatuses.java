package dev.embassy.config.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.embassy.config.codec.ConfigJson;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * Proxy status shared between control-plane replicas (which write it) and the admin API (which
 * shows it): connected Envoys with the version of each type they ACKed, and the NACKs they sent.
 */
public final class ProxyStatuses {
  /** Rows older than this belong to a replica that stopped reporting. */
  public static final int STALE_AFTER_SECONDS = 30;

  private final DSLContext db;

  public ProxyStatuses(DataSource dataSource) {
    this.db = DSL.using(dataSource, SQLDialect.POSTGRES);
  }

  /** A connected proxy; {@code appliedRevision} is the newest config revision it fully runs, -1 if unknown. */
  public record Proxy(String replica, String proxyId, String nodeGroup, Instant connectedSince, Map<String, String> acked, long appliedRevision) {}

  /** How many live proxies run at least {@code revision}, and which do not yet. */
  public record Convergence(long revision, int applied, int total, List<String> pending) {
    public boolean complete() {
      return applied == total;
    }
  }

  public record Nack(long id, Instant at, String replica, String proxyId, String nodeGroup, String typeUrl, String version, String detail) {}

  /** Replaces everything {@code replica} reported before with {@code proxies}, in one transaction. */
  public void replace(String replica, List<Proxy> proxies) {
    db.transaction(c -> {
      DSLContext tx = c.dsl();
      tx.execute("DELETE FROM proxy_status WHERE replica = ?", replica);
      upsert(tx, replica, proxies);
    });
  }

  /**
   * Writes what changed since the replica's last report: {@code changed} proxies upserted,
   * {@code gone} ones removed, and every row of the replica marked fresh (the heartbeat that keeps
   * its proxies in {@link #live()}). A replica with a thousand proxies writes the few that moved,
   * not all of them, on every change.
   */
  public void report(String replica, List<Proxy> changed, java.util.Collection<String> gone) {
    db.transaction(c -> {
      DSLContext tx = c.dsl();
      if (!gone.isEmpty()) {
        tx.execute("DELETE FROM proxy_status WHERE replica = ? AND proxy_id = ANY(?)", replica, gone.toArray(new String[0]));
      }
      upsert(tx, replica, changed);
      tx.execute("UPDATE proxy_status SET updated_at = now() WHERE replica = ?", replica);
    });
  }

  private static void upsert(DSLContext tx, String replica, List<Proxy> proxies) {
    if (proxies.isEmpty()) {
      return;
    }
    org.jooq.BatchBindStep batch = tx.batch(tx.query(
        "INSERT INTO proxy_status (replica, proxy_id, node_group, connected_since, acked, applied_revision, updated_at) "
            + "VALUES (?, ?, ?, ?::timestamptz, ?::jsonb, ?, now()) ON CONFLICT (replica, proxy_id) DO UPDATE SET "
            + "node_group = excluded.node_group, connected_since = excluded.connected_since, acked = excluded.acked, "
            + "applied_revision = excluded.applied_revision, updated_at = now()",
        null, null, null, null, null, null));
    for (Proxy proxy : proxies) {
      batch.bind(replica, proxy.proxyId(), proxy.nodeGroup(), OffsetDateTime.ofInstant(proxy.connectedSince(), ZoneOffset.UTC).toString(),
          json(proxy.acked()), proxy.appliedRevision());
    }
    batch.execute();
  }

  public void recordNack(String replica, String proxyId, String nodeGroup, String typeUrl, String version, String detail, Instant at) {
    db.execute("INSERT INTO proxy_nack (at, replica, proxy_id, node_group, type_url, version, detail) VALUES (?::timestamptz, ?, ?, ?, ?, ?, ?)",
        OffsetDateTime.ofInstant(at, ZoneOffset.UTC).toString(), replica, proxyId, nodeGroup, typeUrl, version,
        detail.length() > 4000 ? detail.substring(0, 4000) : detail);
  }

  /** Proxies reported by live replicas. */
  public List<Proxy> live() {
    return db.resultQuery("SELECT replica, proxy_id, node_group, connected_since, acked::text, applied_revision FROM proxy_status "
            + "WHERE updated_at > now() - make_interval(secs => ?) ORDER BY proxy_id, replica", STALE_AFTER_SECONDS)
        .fetch(r -> new Proxy(r.get(0, String.class), r.get(1, String.class), r.get(2, String.class),
            r.get(3, OffsetDateTime.class).toInstant(), map(r.get(4, String.class)), r.get(5, Long.class)));
  }

  public Convergence convergence(long revision) {
    List<Proxy> proxies = live();
    List<String> pending = proxies.stream().filter(p -> p.appliedRevision() < revision).map(Proxy::proxyId).sorted().toList();
    return new Convergence(revision, proxies.size() - pending.size(), proxies.size(), pending);
  }

  /** NACKs newest first; only those of {@code proxyId} when it is not null. */
  public List<Nack> nacks(String proxyId, int limit) {
    return db.resultQuery("SELECT id, at, replica, proxy_id, node_group, type_url, version, detail FROM proxy_nack "
            + "WHERE (?::text IS NULL OR proxy_id = ?) ORDER BY id DESC LIMIT ?", proxyId, proxyId, limit)
        .fetch(r -> new Nack(r.get(0, Long.class), r.get(1, OffsetDateTime.class).toInstant(), r.get(2, String.class),
            r.get(3, String.class), r.get(4, String.class), r.get(5, String.class), r.get(6, String.class), r.get(7, String.class)));
  }

  private static String json(Map<String, String> map) {
    try {
      return ConfigJson.json().writeValueAsString(map);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> map(String json) {
    try {
      return ConfigJson.json().readValue(json, new TypeReference<Map<String, String>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
