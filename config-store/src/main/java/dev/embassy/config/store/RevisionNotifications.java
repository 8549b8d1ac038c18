package dev.embassy.config.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * A dedicated connection that LISTENs for committed revisions. The caller owns the loop, so it
 * decides how to debounce and how to reconnect after Postgres goes away.
 */
public final class RevisionNotifications implements AutoCloseable {
  public static final String CHANNEL = "embassy_config_revision";

  private final Connection connection;
  private final PGConnection pg;

  private RevisionNotifications(Connection connection) throws SQLException {
    this.connection = connection;
    this.pg = connection.unwrap(PGConnection.class);
  }

  public static RevisionNotifications listen(DataSource dataSource) throws SQLException {
    Connection connection = dataSource.getConnection();
    try (Statement statement = connection.createStatement()) {
      connection.setAutoCommit(true);
      statement.execute("LISTEN " + CHANNEL);
      return new RevisionNotifications(connection);
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
  }

  /**
   * Waits up to {@code timeoutMillis} for notifications and returns the revision ids announced,
   * oldest first; empty on timeout. Throws when the connection is broken.
   */
  public List<Long> await(int timeoutMillis) throws SQLException {
    if (timeoutMillis <= 0) {
      throw new IllegalArgumentException("pgjdbc waits forever on 0; use pending() not to wait");
    }
    return ids(pg.getNotifications(timeoutMillis));
  }

  /** The revision ids announced and not yet taken, without waiting. */
  public List<Long> pending() throws SQLException {
    return ids(pg.getNotifications());
  }

  private static List<Long> ids(PGNotification[] notifications) {
    List<Long> ids = new ArrayList<>();
    if (notifications != null) {
      for (PGNotification notification : notifications) {
        if (CHANNEL.equals(notification.getName())) {
          ids.add(Long.parseLong(notification.getParameter()));
        }
      }
    }
    return ids;
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
