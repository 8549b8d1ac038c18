package dev.embassy.config.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** A pooled connection to the config database, shared by every service that reads the config. */
public final class ConfigDatabase {
  private ConfigDatabase() {}

  public static HikariDataSource connect(String jdbcUrl, String user, String password, int maxConnections) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(maxConnections);
    config.setPoolName("embassy-config");
    // Fail requests fast while Postgres is down rather than queueing them for the default 30 s;
    // callers report the outage (503, degraded health) and keep serving what they have.
    config.setConnectionTimeout(2_000);
    // Start even when Postgres is not up yet; the pool connects when it can.
    config.setInitializationFailTimeout(-1);
    // pgjdbc turns a JDBC batch of inserts into multi-row INSERTs, which is what makes a
    // 10,000-route apply one round trip per few hundred rows rather than per row.
    config.addDataSourceProperty("reWriteBatchedInserts", "true");
    return new HikariDataSource(config);
  }
}
