package dev.embassy.admin.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embassy.config.codec.ConfigJson;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.sql.Connection;
import java.util.List;
import javax.sql.DataSource;

/**
 * /healthz answers whether the process is alive; /readyz whether it can serve writes, which needs
 * the database. Both are the only anonymous endpoints.
 */
final class HealthEndpoints {
  private final DataSource dataSource;

  HealthEndpoints(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  List<Endpoint> endpoints() {
    return List.of(
        Endpoint.anonymous(HandlerType.GET, "/healthz", (ctx, caller) -> health(ctx, false)),
        Endpoint.anonymous(HandlerType.GET, "/readyz", (ctx, caller) -> health(ctx, true)));
  }

  private void health(Context ctx, boolean strict) {
    boolean database = databaseReachable();
    ObjectNode body = ConfigJson.json().createObjectNode();
    body.put("status", database ? "ok" : "degraded");
    body.put("database", database ? "ok" : "unreachable");
    Responses.json(ctx, database || !strict ? 200 : 503, body);
  }

  private boolean databaseReachable() {
    try (Connection connection = dataSource.getConnection()) {
      return connection.isValid(1);
    } catch (Exception e) {
      return false;
    }
  }
}
