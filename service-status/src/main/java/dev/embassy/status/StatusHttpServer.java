package dev.embassy.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * A service's status port: /healthz is 200 while the process serves (a degraded service says so
 * in the body and keeps serving its last good state), /readyz is 200 only while the service is
 * ready, /metrics is the Prometheus text exposition. The JDK's HTTP server is enough for a few
 * probe and scrape requests and keeps this off the service's own transport threads.
 */
public final class StatusHttpServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;

  private StatusHttpServer(HttpServer server) {
    this.server = server;
  }

  public static StatusHttpServer start(String bind, int port, Supplier<StatusReport> status, Supplier<String> prometheusText) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 16);
      server.createContext("/healthz", exchange -> answer(exchange, 200, "application/json", JSON.writeValueAsString(status.get().body())));
      server.createContext("/readyz", exchange -> {
        StatusReport report = status.get();
        answer(exchange, report.ready() ? 200 : 503, "application/json", JSON.writeValueAsString(report.body()));
      });
      server.createContext("/metrics", exchange -> answer(exchange, 200, PROMETHEUS_TEXT, prometheusText.get()));
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
