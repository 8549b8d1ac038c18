package dev.embassy.discovery.consul;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.ConsulRawClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClientBuilder;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.message.BasicHeader;

/**
 * The HTTP connections to one Consul agent: one pool, two consul-api clients on it. Blocking
 * reads get a socket timeout longer than Consul may hold them; agent writes a short one.
 * consul-api's default client (10 min socket timeout, 500 connections per route) is not used:
 * its pool would cap the number of watches, and it cannot send the token as a header.
 */
public final class ConsulConnection implements AutoCloseable {
  private final PoolingHttpClientConnectionManager pool;
  private final CloseableHttpClient blockingHttp;
  private final CloseableHttpClient agentHttp;
  private final ConsulRawClient blockingRaw;
  private final ConsulClient blockingClient;
  private final ConsulClient agentClient;

  public ConsulConnection(ConsulDiscoveryConfig config) {
    pool = new PoolingHttpClientConnectionManager();
    pool.setMaxTotal(config.maxConnections());
    pool.setDefaultMaxPerRoute(config.maxConnections());
    // Re-check a pooled connection idle for over a second before reuse: after Consul restarts,
    // every pooled connection is dead, and a stale one would cost a failed query.
    pool.setValidateAfterInactivity(1_000);
    List<BasicHeader> headers = config.token().map(t -> List.of(new BasicHeader("X-Consul-Token", t))).orElse(List.of());
    blockingHttp = client(pool, config, config.blockingReadTimeout(), headers);
    agentHttp = client(pool, config, config.requestTimeout(), headers);
    blockingRaw = raw(config, blockingHttp);
    blockingClient = new ConsulClient(blockingRaw);
    agentClient = new ConsulClient(raw(config, agentHttp));
  }

  /** For blocking health and catalog reads. */
  ConsulClient blockingClient() {
    return blockingClient;
  }

  /** For blocking reads consul-api has no method for ({@code /v1/health/connect}), on the same connections. */
  ConsulRawClient blockingRaw() {
    return blockingRaw;
  }

  /** For short agent requests (register, deregister, check updates). */
  ConsulClient agentClient() {
    return agentClient;
  }

  /** Connections open to the agent right now, leased or idle. */
  int openConnections() {
    var stats = pool.getTotalStats();
    return stats.getLeased() + stats.getAvailable();
  }

  private static CloseableHttpClient client(
      PoolingHttpClientConnectionManager pool, ConsulDiscoveryConfig config, Duration socketTimeout, List<BasicHeader> headers) {
    RequestConfig requestConfig =
        RequestConfig.custom()
            .setConnectTimeout(millis(config.connectTimeout()))
            .setConnectionRequestTimeout(millis(config.connectTimeout()))
            .setSocketTimeout(millis(socketTimeout))
            .build();
    return HttpClientBuilder.create()
        .setConnectionManager(pool)
        .setConnectionManagerShared(true)
        .setDefaultRequestConfig(requestConfig)
        .setDefaultHeaders(headers)
        // The watch loops retry with backoff and a fresh index; a hidden retry here would
        // re-send a blocking query with a stale index after a restart.
        .disableAutomaticRetries()
        .disableCookieManagement()
        .build();
  }

  private static ConsulRawClient raw(ConsulDiscoveryConfig config, CloseableHttpClient http) {
    String scheme = config.address().getScheme();
    int port = config.address().getPort() > 0 ? config.address().getPort() : ("https".equals(scheme) ? 443 : 80);
    return ConsulRawClient.Builder.builder()
        .setHost(scheme + "://" + config.address().getHost())
        .setPort(port)
        .setHttpClient(http)
        .build();
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }

  @Override
  public void close() {
    try {
      blockingHttp.close();
      agentHttp.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      pool.close();
    }
  }
}
