package dev.embassy.testsupport;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands each {@link TestDatabase} parameter a fresh database on a real Postgres. One server is
 * started per test run (lazily, on first use) and stopped when the run ends.
 *
 * <p>The server is a {@link LocalPostgresCluster} unless EMBASSY_POSTGRES=testcontainers.
 */
public final class PostgresExtension implements ParameterResolver {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == TestDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    PostgresServer server = server(context);
    String name = "test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try {
      server.createDatabase(name);
    } catch (SQLException e) {
      throw new ParameterResolutionException("could not create test database " + name, e);
    }
    return new TestDatabase(name, server.jdbcUrl(name), server.user(), server.password());
  }

  private static PostgresServer server(ExtensionContext context) {
    // The root store outlives every test class and closes its resources when the run ends.
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.create(PostgresExtension.class))
        .getOrComputeIfAbsent("server", key -> new ClosingServer(startServer()), ClosingServer.class)
        .server();
  }

  private static PostgresServer startServer() {
    return "testcontainers".equals(System.getenv("EMBASSY_POSTGRES"))
        ? ContainerPostgres.start()
        : LocalPostgresCluster.start();
  }

  private record ClosingServer(PostgresServer server) implements AutoCloseable {
    @Override
    public void close() {
      server.close();
    }
  }
}
