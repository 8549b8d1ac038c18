package dev.embassy.auth.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/**
 * /healthz (200 while serving; "degraded" with reasons while the store, a JWKS endpoint or a policy
 * is failing), /readyz (503 until policies are loaded and each provider's first key fetch has
 * finished) and /metrics (Prometheus).
 */
public final class StatusHttpServer implements AutoCloseable {
  private final HttpServer server;

  private StatusHttpServer(HttpServer server) {
    this.server = server;
  }

  public static StatusHttpServer start(String bind, int port, ServiceHealth health, AuthMetrics metrics) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 16);
      server.createContext("/healthz", exchange -> answer(exchange, 200, "application/json", json(health.report())));
      server.createContext("/readyz", exchange -> {
        ServiceHealth.Report report = health.report();
        answer(exchange, report.ready() ? 200 : 503, "application/json", json(report));
      });
      server.createContext("/metrics", exchange -> answer(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
      server.start();
      return new StatusHttpServer(server);
    } catch (IOException e) {
      throw new UncheckedIOException("could not listen for status on " + bind + ":" + port, e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static String json(ServiceHealth.Report report) {
    return "{\"status\":\"" + (report.degraded() ? "degraded" : "ok") + "\",\"ready\":" + report.ready()
        + ",\"policyRevision\":" + report.policyRevision() + ",\"problems\":["
        + report.problems().stream().map(p -> "\"" + escape(p) + "\"").collect(Collectors.joining(",")) + "]}";
  }

  private static String escape(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
