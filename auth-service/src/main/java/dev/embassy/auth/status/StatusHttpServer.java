package dev.embassy.auth.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * /healthz (200 while serving; "degraded" with reasons while the store, a JWKS endpoint or a policy
 * is failing), /readyz (503 until policies are loaded and each provider's first key fetch has
 * finished) and /metrics (Prometheus).
 */
public final class StatusHttpServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

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

  private static String json(ServiceHealth.Report report) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", report.degraded() ? "degraded" : "ok");
    body.put("ready", report.ready());
    body.put("policyRevision", report.policyRevision());
    body.put("problems", report.problems());
    return JSON.writeValueAsString(body);
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
