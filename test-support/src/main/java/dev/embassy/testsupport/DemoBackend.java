package dev.embassy.testsupport;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP backend on a free 127.0.0.1 port that answers every request with JSON naming itself
 * and echoing the request line and headers, so a test can see which backend Envoy chose and what
 * headers reached it.
 */
public final class DemoBackend implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final HttpServer server;
  private final AtomicLong requests = new AtomicLong();

  private DemoBackend(String name, HttpServer server) {
    this.name = name;
    this.server = server;
  }

  public static DemoBackend start(String name) {
    try {
      return serve(name, HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128));
    } catch (IOException e) {
      throw new UncheckedIOException("could not start demo backend " + name, e);
    }
  }

  /** The same backend over HTTPS, presenting the certificate in {@code tls} (see {@link TlsContexts#server}). */
  public static DemoBackend startHttps(String name, javax.net.ssl.SSLContext tls) {
    try {
      com.sun.net.httpserver.HttpsServer server =
          com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
      server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
      return serve(name, server);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start demo backend " + name, e);
    }
  }

  private static DemoBackend serve(String name, HttpServer server) {
    DemoBackend backend = new DemoBackend(name, server);
    server.createContext("/", backend::answer);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return backend;
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public long requestCount() {
    return requests.get();
  }

  private void answer(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    Map<String, String> headers = new TreeMap<>();
    exchange.getRequestHeaders().forEach((key, values) -> headers.put(key.toLowerCase(), String.join(",", values)));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("backend", name);
    body.put("method", exchange.getRequestMethod());
    body.put("path", exchange.getRequestURI().toString());
    body.put("headers", headers);
    byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().put("content-type", List.of("application/json"));
    exchange.getResponseHeaders().put("x-backend", List.of(name));
    // What real application servers send, and what a gateway should not pass on by default.
    exchange.getResponseHeaders().put("server", List.of("demo-backend/1.0"));
    exchange.getResponseHeaders().put("x-powered-by", List.of("demo"));
    exchange.sendResponseHeaders(200, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
