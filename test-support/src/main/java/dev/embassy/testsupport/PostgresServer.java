package dev.embassy.testsupport;

/** A running Postgres that tests may create databases in. */
public sealed interface PostgresServer extends AutoCloseable
    permits LocalPostgresCluster, ContainerPostgres {

  /** JDBC URL of {@code database} on this server. */
  String jdbcUrl(String database);

  String user();

  String password();

  @Override
  void close();
}
