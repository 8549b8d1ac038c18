package dev.embassy.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend that misbehaves on request, for resilience tests: {@code ?delay=MS} answers after
 * that long, {@code ?fail=N} answers 503 to the first N requests of that path and query, then
 * 200, and {@code ?stall=MS} sends the headers and the first line of a chunked body, then stalls
 * that long before the rest; {@code ?maxAge=S} marks the answer cacheable for S seconds
 * ({@code Cache-Control: public, max-age=S}). It counts requests per path so a test can see how
 * many attempts a proxy made, or how many it answered from a cache.
 */
public final class ScriptedBackend implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();

  private ScriptedBackend(HttpServer server) {
    this.server = server;
  }

  public static ScriptedBackend start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
      ScriptedBackend backend = new ScriptedBackend(server);
      server.createContext("/", backend::answer);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.start();
      return backend;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Requests that reached this backend for {@code pathAndQuery}. */
  public int requests(String pathAndQuery) {
    AtomicInteger count = seen.get(pathAndQuery);
    return count == null ? 0 : count.get();
  }

  private void answer(HttpExchange exchange) throws IOException {
    URI uri = exchange.getRequestURI();
    String key = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    int attempt = seen.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    Map<String, String> query = new java.util.HashMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
    }
    if (query.containsKey("delay")) {
      pause(Long.parseLong(query.get("delay")));
    }
    int status = attempt <= Integer.parseInt(query.getOrDefault("fail", "0")) ? 503 : 200;
    byte[] body = ("attempt " + attempt + "\n").getBytes(StandardCharsets.UTF_8);
    if (query.containsKey("maxAge")) {
      exchange.getResponseHeaders().set("Cache-Control", "public, max-age=" + Integer.parseInt(query.get("maxAge")));
    }
    try {
      if (query.containsKey("stall")) {
        exchange.sendResponseHeaders(status, 0);
        try (var out = exchange.getResponseBody()) {
          out.write(body);
          out.flush();
          pause(Long.parseLong(query.get("stall")));
          out.write("the rest\n".getBytes(StandardCharsets.UTF_8));
        }
        return;
      }
      exchange.sendResponseHeaders(status, body.length);
      try (var out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (IOException gone) {
      // the proxy gave up on this request (a timeout): nothing to answer
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
