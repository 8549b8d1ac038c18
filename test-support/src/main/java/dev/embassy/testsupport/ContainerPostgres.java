package dev.embassy.testsupport;

import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Postgres in a container through Testcontainers, for machines that have a Docker engine. Chosen
 * with EMBASSY_POSTGRES=testcontainers; the default is {@link LocalPostgresCluster} because the
 * machines this project is built on have no Docker engine.
 */
public final class ContainerPostgres implements PostgresServer {
  private final PostgreSQLContainer container;

  private ContainerPostgres(PostgreSQLContainer container) {
    this.container = container;
  }

  public static ContainerPostgres start() {
    PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
    container.start();
    return new ContainerPostgres(container);
  }

  @Override
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + container.getHost() + ":" + container.getFirstMappedPort() + "/" + database;
  }

  @Override
  public String user() {
    return container.getUsername();
  }

  @Override
  public String password() {
    return container.getPassword();
  }

  @Override
  public void close() {
    container.stop();
  }
}
