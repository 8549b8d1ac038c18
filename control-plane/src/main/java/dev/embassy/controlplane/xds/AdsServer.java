package dev.embassy.controlplane.xds;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gRPC server Envoys connect to: ADS (state of the world and delta) plus grpc.health.v1. */
public final class AdsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdsServer.class);

  private final Server server;
  private final HealthStatusManager health;
  private final StreamExecutors executors;

  private AdsServer(Server server, HealthStatusManager health, StreamExecutors executors) {
    this.server = server;
    this.health = health;
    this.executors = executors;
  }

  public static AdsServer start(String bindAddress, int port, ConfigWatcher cache) {
    return start(bindAddress, port, cache, java.util.List.of());
  }

  public static AdsServer start(String bindAddress, int port, ConfigWatcher cache,
      java.util.List<io.envoyproxy.controlplane.server.DiscoveryServerCallbacks> callbacks) {
    // Serialise each resource once for all streams (the default re-packs it for every stream),
    // and send from per-stream executors instead of the publishing thread.
    StreamExecutors executors = new StreamExecutors(Math.max(2, Runtime.getRuntime().availableProcessors()));
    V3DiscoveryServer discovery = new V3DiscoveryServer(callbacks, cache, executors,
        new io.envoyproxy.controlplane.server.serializer.CachedProtoResourcesSerializer());
    HealthStatusManager health = new HealthStatusManager();
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(bindAddress, port))
            .addService(discovery.getAggregatedDiscoveryServiceImpl())
            .addService(health.getHealthService())
            // Envoy's default HTTP/2 keepalive on the xDS cluster pings more often than gRPC's
            // server default tolerates; without this the server would GOAWAY healthy streams.
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .build();
    try {
      server.start();
    } catch (IOException e) {
      executors.close();
      throw new UncheckedIOException("could not listen for xDS on " + bindAddress + ":" + port, e);
    }
    health.setStatus("", ServingStatus.SERVING);
    LOG.info("xDS (ADS, SotW and delta) listening on {}:{}", bindAddress, server.getPort());
    return new AdsServer(server, health, executors);
  }

  public int port() {
    return server.getPort();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    executors.close();
  }
}
