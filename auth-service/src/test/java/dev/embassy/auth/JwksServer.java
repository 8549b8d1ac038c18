package dev.embassy.auth;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on a free 127.0.0.1 port that serves documents a test sets (a JWKS, a
 * discovery document, a redirect, an error), counting requests per path and, when told, answering
 * a path only after a delay (a slow IdP).
 */
public final class JwksServer implements AutoCloseable {
  /** What one path answers. */
  public record Answer(int status, String body, Map<String, String> headers) {
    public static Answer json(String body) {
      return new Answer(200, body, Map.of("content-type", "application/json"));
    }
  }

  private final HttpServer server;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private final Map<String, Duration> delays = new ConcurrentHashMap<>();

  private JwksServer(HttpServer server) {
    this.server = server;
  }

  public static JwksServer start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      JwksServer jwks = new JwksServer(server);
      server.createContext("/", jwks::answer);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.start();
      return jwks;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  public JwksServer serve(String path, Answer answer) {
    answers.put(path, answer);
    return this;
  }

  /** Answers {@code path} only {@code delay} after each request arrives (it is counted at once). */
  public JwksServer delay(String path, Duration delay) {
    delays.put(path, delay);
    return this;
  }

  public int hits(String path) {
    return hits.getOrDefault(path, new AtomicInteger()).get();
  }

  private void answer(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    Answer answer = answers.getOrDefault(path, new Answer(404, "not found", Map.of()));
    Duration delay = delays.getOrDefault(path, Duration.ZERO);
    if (!delay.isZero()) {
      try {
        // Requests run on virtual threads: a slow answer holds up no other request.
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
    answer.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
    exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
    try (var out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
