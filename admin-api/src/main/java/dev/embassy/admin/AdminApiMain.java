package dev.embassy.admin;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.admin.auth.AdminTokens;
import dev.embassy.admin.http.AdminHttpServer;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the admin API: migrate the schema, install the bootstrap token, serve HTTP. */
public final class AdminApiMain {
  private static final Logger LOG = LoggerFactory.getLogger(AdminApiMain.class);

  private AdminApiMain() {}

  public static void main(String[] args) {
    AdminApiConfig config;
    try {
      config = AdminApiConfig.fromEnvironment(System.getenv());
    } catch (RuntimeException e) {
      LOG.error("cannot start: {}", e.getMessage());
      System.exit(2);
      return;
    }
    HikariDataSource dataSource = ConfigDatabase.connect(config.databaseUrl(), config.databaseUser(), config.databasePassword(), config.databasePool());
    ConfigSchema.migrate(dataSource);
    AdminTokens tokens = new AdminTokens(dataSource);
    if (config.bootstrapToken().isPresent()) {
      tokens.installBootstrap(config.bootstrapToken().get(), config.bootstrapTokenOwner());
      LOG.info("bootstrap admin token installed for {}", config.bootstrapTokenOwner());
    } else if (tokens.list().stream().noneMatch(t -> t.revokedAt().isEmpty())) {
      LOG.warn("no admin token exists; set EMBASSY_ADMIN_TOKEN or EMBASSY_ADMIN_TOKEN_FILE to create the first one");
    }
    AdminHttpServer server = AdminHttpServer.start(config.bind(), config.port(), dataSource, config.tls());
    LOG.info("admin API listening on {}://{}:{}", config.tls().isPresent() ? "https" : "http", config.bind(), server.port());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      dataSource.close();
    }, "shutdown"));
  }
}
