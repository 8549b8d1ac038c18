package dev.embassy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.admin.auth.AdminTokens;
import dev.embassy.admin.auth.Role;
import dev.embassy.admin.http.AdminHttpServer;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The real admin API on a free port, over a fresh real Postgres database, plus an HTTP client. */
final class AdminApiFixture implements AutoCloseable {
  static final String ADMIN_TOKEN = "it-admin-token-0123456789abcdef";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TABLES =
      List.of("config_revision", "config_resource", "config_reference", "config_resource_history", "config_route_claim", "admin_token", "audit_event");

  private final HikariDataSource dataSource;
  private final AdminHttpServer server;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final String editorToken;
  final String viewerToken;

  private AdminApiFixture(HikariDataSource dataSource, AdminHttpServer server, String editorToken, String viewerToken) {
    this.dataSource = dataSource;
    this.server = server;
    this.editorToken = editorToken;
    this.viewerToken = viewerToken;
  }

  static AdminApiFixture start(TestDatabase database) {
    HikariDataSource dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 40);
    ConfigSchema.migrate(dataSource);
    AdminTokens tokens = new AdminTokens(dataSource);
    tokens.installBootstrap(ADMIN_TOKEN, "it-admin");
    String editor = tokens.issue("it-editor", Role.editor).token();
    String viewer = tokens.issue("it-viewer", Role.viewer).token();
    return new AdminApiFixture(dataSource, AdminHttpServer.start("127.0.0.1", 0, dataSource), editor, viewer);
  }

  record Response(int status, Map<String, List<String>> headers, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (Exception e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }

    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().getFirst())
          .findFirst().orElse(null);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  Response send(String method, String path, String contentType, String body, String token, Map<String, String> headers) {
    return sendBytes(method, path, contentType, body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8), token, headers);
  }

  Response sendBytes(String method, String path, String contentType, byte[] body, String token, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    headers.forEach(request::header);
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.headers().map(), response.body());
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed", e);
    }
  }

  javax.sql.DataSource dataSource() {
    return dataSource;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.port();
  }

  Response get(String path) {
    return send("GET", path, null, null, ADMIN_TOKEN, Map.of());
  }

  Response post(String path, String json) {
    return send("POST", path, "application/json", json, ADMIN_TOKEN, Map.of());
  }

  Response put(String path, String json, Map<String, String> headers) {
    return send("PUT", path, "application/json", json, ADMIN_TOKEN, headers);
  }

  Response patch(String path, String json, Map<String, String> headers) {
    return send("PATCH", path, "application/merge-patch+json", json, ADMIN_TOKEN, headers);
  }

  Response delete(String path, Map<String, String> headers) {
    return send("DELETE", path, null, null, ADMIN_TOKEN, headers);
  }

  /** Row counts of every config table plus the latest revision: equal snapshots mean "unchanged". */
  Map<String, Long> snapshot() {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      for (String table : TABLES) {
        try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + table)) {
          rs.next();
          counts.put(table, rs.getLong(1));
        }
      }
      try (ResultSet rs = statement.executeQuery("SELECT coalesce(max(id), 0) FROM config_revision")) {
        rs.next();
        counts.put("latest_revision", rs.getLong(1));
      }
      try (ResultSet rs = statement.executeQuery("SELECT coalesce(md5(string_agg(kind || name || spec::text || revision, ',' ORDER BY kind, name)), '') FROM config_resource")) {
        rs.next();
        counts.put("content_hash", (long) rs.getString(1).hashCode());
      }
    } catch (Exception e) {
      throw new AssertionError("cannot read the database", e);
    }
    return counts;
  }

  @Override
  public void close() {
    server.close();
    dataSource.close();
  }
}
