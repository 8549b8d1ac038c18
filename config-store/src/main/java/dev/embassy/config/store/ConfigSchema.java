package dev.embassy.config.store;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Brings a database to the schema this build expects, with the migrations in db/migration. */
public final class ConfigSchema {
  private ConfigSchema() {}

  /**
   * Migrates to the latest version. Safe to call from several replicas at once: Flyway holds a
   * Postgres advisory lock while migrating, and each migration runs in its own transaction.
   */
  public static MigrateResult migrate(DataSource dataSource) {
    return Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/migration")
        // A misnamed migration file would be skipped silently; fail the start-up instead.
        .validateMigrationNaming(true)
        .load()
        .migrate();
  }
}
