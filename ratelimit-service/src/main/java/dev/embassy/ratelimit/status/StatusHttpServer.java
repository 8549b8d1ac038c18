package dev.embassy.ratelimit.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * /healthz, /readyz and /metrics of a rate-limit node. Health is 200 while the process serves,
 * with "degraded" in the body while the config store or the registry is unreachable (the last
 * policies and members are used meanwhile); readiness is 503 until policies are loaded and every
 * peer has been probed, so a starting node takes no traffic while its view of the cluster is
 * incomplete.
 */
public final class StatusHttpServer implements AutoCloseable {
  private final HttpServer server;

  private StatusHttpServer(HttpServer server) {
    this.server = server;
  }

  public static StatusHttpServer start(String bind, int port, Supplier<NodeHealth> health, RateLimitMetrics metrics) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 16);
      server.createContext("/healthz", exchange -> answer(exchange, 200, "application/json", health.get().json()));
      server.createContext("/readyz", exchange -> {
        NodeHealth h = health.get();
        answer(exchange, h.ready() ? 200 : 503, "application/json", h.json());
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
