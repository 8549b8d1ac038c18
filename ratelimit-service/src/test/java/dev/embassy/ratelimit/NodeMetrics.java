package dev.embassy.ratelimit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.DoubleStream;

/** A node's /metrics (Prometheus text) and the values of one metric in it, over its label sets. */
final class NodeMetrics {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private NodeMetrics() {}

  static String scrape(int statusPort) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The sum over label sets of {@code name} on a node in this JVM, 0 when the metric is absent. */
  static double sum(RateLimitNode node, String name) {
    return sum(scrape(node.statusPort()), name);
  }

  /** The sum over label sets (counters, counts), 0 when the metric is absent. */
  static double sum(String scrape, String name) {
    return values(scrape, name).sum();
  }

  /** The largest value over label sets (_max gauges), 0 when the metric is absent. */
  static double max(String scrape, String name) {
    return values(scrape, name).max().orElse(0);
  }

  private static DoubleStream values(String scrape, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(scrape);
    DoubleStream.Builder values = DoubleStream.builder();
    while (m.find()) {
      values.add(Double.parseDouble(m.group(2)));
    }
    return values.build();
  }
}
