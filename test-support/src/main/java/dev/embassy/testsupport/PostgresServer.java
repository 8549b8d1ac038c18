package dev.embassy.testsupport;

/** A running Postgres that tests may create databases in. */
public sealed interface PostgresServer extends AutoCloseable
    permits LocalPostgresCluster, ContainerPostgres {

  /** JDBC URL of {@code database} on this server. */
  String jdbcUrl(String database);

  String user();

  String password();

  /** Creates {@code name} on this server and returns its JDBC URL. */
  default String createDatabase(String name) throws java.sql.SQLException {
    try (java.sql.Connection admin = java.sql.DriverManager.getConnection(jdbcUrl("postgres"), user(), password());
        java.sql.Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
    return jdbcUrl(name);
  }

  @Override
  void close();
}
