package dev.embassy.config.store;

import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Reference;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The SQL of a single-resource create: in one round trip when the writer's view of the config is
 * current (lock, check, write, commit), else in two plus the commit (the write lock with the latest
 * revision, then every row the create writes). pgjdbc sends the statements of one prepared statement
 * separated by semicolons as one pipeline (one Sync), and runs them in order in the transaction;
 * after an error the rest are skipped. The rows are those {@link ResourceRows#write} writes for a
 * create: the revision (its triggers NOTIFY and audit), the resource, its references, a route's
 * claims and the history entry. Plain JDBC: jOOQ's rendering of the eighteen statements this
 * replaces was a fifth of the admin API's CPU per create (issue 13).
 */
final class CreateStatements {
  /** The id the revision insert just drew, for the rows of the same pipeline. */
  private static final String REVISION_ID = "currval(pg_get_serial_sequence('config_revision', 'id'))";

  private CreateStatements() {}

  /** {@link ConfigRevisions#lockForWrite} in one round trip. */
  static long lockForWrite(Connection c) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(
        "SELECT pg_advisory_xact_lock(?); SELECT coalesce(max(id), 0) FROM config_revision")) {
      statement.setLong(1, ConfigRevisions.WRITE_LOCK);
      statement.execute();
      if (!statement.getMoreResults()) {
        throw new SQLException("no latest revision returned");
      }
      try (ResultSet latest = statement.getResultSet()) {
        latest.next();
        return latest.getLong(1);
      }
    }
  }

  /**
   * Writes {@code change} (a create) as a new revision on {@code parent}, under the write lock
   * already taken; {@code claimKeys} are the claims of a route (empty for other kinds). Returns
   * the revision as stored; the caller commits.
   */
  static ConfigRevision create(Connection c, long parent, String author, String summary, String changesJson, Change change,
      Set<String> claimKeys) throws SQLException {
    return execute(c, "", 0, parent, author, summary, changesJson, change, claimKeys, "");
  }

  /**
   * The whole transaction in one round trip, for a writer that validated against the config at
   * {@code parent} without holding the lock: takes the write lock, checks that {@code parent} is
   * still the latest revision, writes and commits. When another revision came first the check
   * fails with {@link #isStale} and nothing is written.
   */
  static ConfigRevision lockCheckCreateCommit(Connection c, long parent, String author, String summary, String changesJson, Change change,
      Set<String> claimKeys) throws SQLException {
    // The division fails (22012) unless the latest revision is the one validated against; the
    // divisor depends on the row, so the planner cannot fold it into an error of its own.
    String prefix = "SELECT pg_advisory_xact_lock(?); SELECT 1 / (CASE WHEN coalesce(max(id), 0) = ? THEN 1 ELSE 0 END) FROM config_revision; ";
    return execute(c, prefix, 2, parent, author, summary, changesJson, change, claimKeys, "; COMMIT");
  }

  /** The precondition of {@link #lockCheckCreateCommit} failed: another revision is the latest. */
  static boolean isStale(SQLException e) {
    return "22012".equals(e.getSQLState());
  }

  private static ConfigRevision execute(Connection c, String prefix, int prefixResults, long parent, String author, String summary,
      String changesJson, Change change, Set<String> claimKeys, String suffix) throws SQLException {
    ConfigResource resource = change.after().orElseThrow();
    String kind = ResourceRows.kindKey(change.kind());
    List<Reference> references = resource.references();
    StringBuilder sql = new StringBuilder(1024).append(prefix)
        .append("INSERT INTO config_revision (parent_id, author, operation, summary, changes) VALUES (?, ?, 'write', ?, ?::jsonb)")
        .append(" RETURNING id, created_at, changes::text;")
        .append(" INSERT INTO config_resource (kind, name, spec, labels, secret, revision) VALUES (?, ?, ?::jsonb, ?::jsonb, ?, ")
        .append(REVISION_ID).append(");");
    if (!references.isEmpty()) {
      sql.append(" INSERT INTO config_reference (from_kind, from_name, pointer, to_kind, to_name) VALUES ");
      values(sql, references.size(), "(?, ?, ?, ?, ?)").append(';');
    }
    if (!claimKeys.isEmpty()) {
      sql.append(" INSERT INTO config_route_claim (gateway, claim_key, route) VALUES ");
      values(sql, claimKeys.size(), "(?, ?, ?)").append(';');
    }
    sql.append(" INSERT INTO config_resource_history (revision, kind, name, op, spec, secret) VALUES (")
        .append(REVISION_ID).append(", ?, ?, 'create', ?::jsonb, ?)").append(suffix);

    try (PreparedStatement statement = c.prepareStatement(sql.toString())) {
      int i = 0;
      if (prefixResults > 0) {
        statement.setLong(++i, ConfigRevisions.WRITE_LOCK);
        statement.setLong(++i, parent);
      }
      if (parent == 0) {
        statement.setNull(++i, Types.BIGINT);
      } else {
        statement.setLong(++i, parent);
      }
      statement.setString(++i, author);
      statement.setString(++i, summary);
      statement.setString(++i, changesJson);
      statement.setString(++i, kind);
      statement.setString(++i, change.name());
      statement.setString(++i, change.spec().orElseThrow());
      statement.setString(++i, LabelSelector.toJson(resource.labels()));
      statement.setString(++i, change.secret().orElse(null));
      for (Reference ref : references) {
        statement.setString(++i, kind);
        statement.setString(++i, change.name());
        statement.setString(++i, ref.pointer());
        statement.setString(++i, ResourceRows.kindKey(ref.kind()));
        statement.setString(++i, ref.name());
      }
      String gateway = resource instanceof dev.embassy.config.model.Route route ? route.gateway() : null;
      for (String key : claimKeys) {
        statement.setString(++i, gateway);
        statement.setString(++i, key);
        statement.setString(++i, change.name());
      }
      statement.setString(++i, kind);
      statement.setString(++i, change.name());
      statement.setString(++i, change.spec().orElseThrow());
      statement.setString(++i, change.secret().orElse(null));

      // pgjdbc reports the first error of the pipeline from execute(), whichever statement failed.
      boolean resultSet = statement.execute();
      for (int skipped = 0; skipped < prefixResults; skipped++) {
        resultSet = statement.getMoreResults();
      }
      if (!resultSet) {
        throw new SQLException("the revision insert returned no row");
      }
      ConfigRevision revision;
      try (ResultSet row = statement.getResultSet()) {
        row.next();
        revision = new ConfigRevision(row.getLong(1), parent, row.getObject(2, OffsetDateTime.class).toInstant(), author, "write",
            summary, row.getString(3));
      }
      // Drain the remaining results so that an error in any later statement surfaces here.
      while (statement.getMoreResults() || statement.getUpdateCount() != -1) {
        // next
      }
      return revision;
    }
  }

  private static StringBuilder values(StringBuilder sql, int rows, String row) {
    List<String> tuples = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      tuples.add(row);
    }
    return sql.append(String.join(", ", tuples));
  }
}
