package dev.embassy.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A named backend that a test can make sick while it runs, for upstream-health tests: its health
 * path ({@value #HEALTH_PATH}) and its other answers fail with 503 on command, and every answer can
 * be slowed down. Answers carry {@code x-backend: <name>}; health checks and other requests are
 * counted apart, so a test can see that a host gets no traffic while it is still being checked.
 */
public final class SwitchableBackend implements AutoCloseable {
  public static final String HEALTH_PATH = "/healthz";

  private final String name;
  private final HttpServer server;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong healthChecks = new AtomicLong();
  private volatile boolean failingRequests;
  private volatile boolean failingHealthChecks;
  private volatile Duration delay = Duration.ZERO;

  private SwitchableBackend(String name, HttpServer server) {
    this.name = name;
    this.server = server;
  }

  public static SwitchableBackend start(String name) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
      SwitchableBackend backend = new SwitchableBackend(name, server);
      server.createContext("/", backend::answer);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.start();
      return backend;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start backend " + name, e);
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Requests other than health checks that reached this backend. */
  public long requests() {
    return requests.get();
  }

  public long healthChecks() {
    return healthChecks.get();
  }

  /** While on, every request other than a health check is answered 503. */
  public void failRequests(boolean fail) {
    failingRequests = fail;
  }

  /** While on, the health path answers 503. */
  public void failHealthChecks(boolean fail) {
    failingHealthChecks = fail;
  }

  /** Every answer other than a health check waits this long first. */
  public void delay(Duration delay) {
    this.delay = delay;
  }

  private void answer(HttpExchange exchange) throws IOException {
    boolean healthCheck = exchange.getRequestURI().getPath().equals(HEALTH_PATH);
    boolean fail;
    if (healthCheck) {
      healthChecks.incrementAndGet();
      fail = failingHealthChecks;
    } else {
      requests.incrementAndGet();
      fail = failingRequests;
      sleep(delay);
    }
    byte[] body = (name + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().put("x-backend", List.of(name));
    try {
      exchange.sendResponseHeaders(fail ? 503 : 200, body.length);
      try (var out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (IOException gone) {
      // the proxy gave up on this request: nothing to answer
    }
  }

  private static void sleep(Duration delay) {
    if (delay.isZero()) {
      return;
    }
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
