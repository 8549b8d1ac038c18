package dev.embassy.controlplane.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * /healthz, /readyz and /metrics of the control plane. Health is 200 while the process serves
 * (even on stale config), with the body saying whether the store is reachable; readiness is 503
 * until the first revision is served, so a new replica takes no Envoys before it has config.
 */
public final class StatusHttpServer implements AutoCloseable {
  /**
   * What the control plane knows about itself right now. {@code discoveryFailing} names the
   * Consul watches failing (their last known endpoints keep being served).
   */
  public record Health(boolean storeReachable, long servedRevision, long connectedProxies, java.util.List<String> discoveryFailing) {
    public Health {
      discoveryFailing = java.util.List.copyOf(discoveryFailing);
    }

    boolean degraded() {
      return !storeReachable || !discoveryFailing.isEmpty();
    }
  }

  private final HttpServer server;

  private StatusHttpServer(HttpServer server) {
    this.server = server;
  }

  public static StatusHttpServer start(String bind, int port, Supplier<Health> health, ControlPlaneMetrics metrics) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 16);
      server.createContext("/healthz", exchange -> {
        Health h = health.get();
        answer(exchange, 200, "application/json", json(h));
      });
      server.createContext("/readyz", exchange -> {
        Health h = health.get();
        answer(exchange, h.servedRevision() >= 0 ? 200 : 503, "application/json", json(h));
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

  private static String json(Health h) {
    StringBuilder failing = new StringBuilder("[");
    for (String watch : h.discoveryFailing()) {
      if (failing.length() > 1) {
        failing.append(',');
      }
      failing.append('"').append(watch.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    failing.append(']');
    return "{\"status\":\"" + (h.degraded() ? "degraded" : "ok") + "\",\"store\":\"" + (h.storeReachable() ? "ok" : "unreachable")
        + "\",\"discovery\":\"" + (h.discoveryFailing().isEmpty() ? "ok" : "failing") + "\",\"discoveryFailing\":" + failing
        + ",\"servedRevision\":" + h.servedRevision() + ",\"connectedProxies\":" + h.connectedProxies() + "}";
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
