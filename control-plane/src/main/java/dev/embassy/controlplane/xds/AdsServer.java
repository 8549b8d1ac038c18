package dev.embassy.controlplane.xds;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC server Envoys connect to: ADS (state of the world and delta) plus grpc.health.v1;
 * plaintext, or TLS/mTLS with ADS streams bound to their node group ({@link XdsSecurityConfig}).
 * Health stays open to any client that completed the handshake: it tells nothing of the config.
 */
public final class AdsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdsServer.class);

  private final Server server;
  private final HealthStatusManager health;
  private final StreamExecutors executors;
  private final List<AutoCloseable> security;
  private final ScheduledExecutorService reloads;

  private AdsServer(Server server, HealthStatusManager health, StreamExecutors executors, List<AutoCloseable> security,
      ScheduledExecutorService reloads) {
    this.server = server;
    this.health = health;
    this.executors = executors;
    this.security = security;
    this.reloads = reloads;
  }

  public static AdsServer start(String bindAddress, int port, ConfigWatcher cache) {
    return start(bindAddress, port, cache, List.of());
  }

  public static AdsServer start(String bindAddress, int port, ConfigWatcher cache, List<DiscoveryServerCallbacks> callbacks) {
    return start(bindAddress, port, cache, callbacks, XdsSecurityConfig.PLAINTEXT, reason -> {});
  }

  /**
   * @param refused told the reason of every ADS stream refused for its identity (the metric)
   */
  public static AdsServer start(String bindAddress, int port, ConfigWatcher cache, List<DiscoveryServerCallbacks> callbacks,
      XdsSecurityConfig securityConfig, Consumer<String> refused) {
    // Serialise each resource once for all streams (the default re-packs it for every stream),
    // and send from per-stream executors instead of the publishing thread.
    StreamExecutors executors = new StreamExecutors(Math.max(2, Runtime.getRuntime().availableProcessors()));
    V3DiscoveryServer discovery = new V3DiscoveryServer(callbacks, cache, executors,
        new io.envoyproxy.controlplane.server.serializer.CachedProtoResourcesSerializer());
    HealthStatusManager health = new HealthStatusManager();
    ScheduledExecutorService reloads = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("xds-tls-reload").daemon().factory());
    List<AutoCloseable> security = new ArrayList<>();
    NettyServerBuilder builder;
    ServerServiceDefinition ads = discovery.getAggregatedDiscoveryServiceImpl().bindService();
    try {
      if (securityConfig.tls()) {
        XdsServerTls tls = XdsServerTls.start(securityConfig, reloads);
        security.add(tls);
        builder = NettyServerBuilder.forAddress(new InetSocketAddress(bindAddress, port), tls.credentials());
      } else {
        builder = NettyServerBuilder.forAddress(new InetSocketAddress(bindAddress, port));
        if (!loopback(bindAddress)) {
          LOG.warn("xDS is plaintext and unauthenticated on {}: anyone who reaches it can read every node group's secrets; "
              + "see docs/operations/secure-channels.md", bindAddress);
        }
      }
      if (securityConfig.bindsNodeGroups()) {
        Optional<NodeGroupTokens> tokens = securityConfig.nodeTokens()
            .map(file -> new NodeGroupTokens(file, securityConfig.reload().toMillis(), reloads));
        tokens.ifPresent(security::add);
        Optional<String> trustDomain = securityConfig.clientCa().map(ca -> securityConfig.trustDomain());
        ads = ServerInterceptors.intercept(ads, new NodeGroupAuthorization(trustDomain, tokens, refused));
      }
    } catch (RuntimeException e) {
      closeAll(security);
      reloads.shutdownNow();
      executors.close();
      throw e;
    }
    Server server =
        builder
            .addService(ads)
            .addService(health.getHealthService())
            // Envoy's default HTTP/2 keepalive on the xDS cluster pings more often than gRPC's
            // server default tolerates; without this the server would GOAWAY healthy streams.
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .build();
    try {
      server.start();
    } catch (IOException e) {
      closeAll(security);
      reloads.shutdownNow();
      executors.close();
      throw new UncheckedIOException("could not listen for xDS on " + bindAddress + ":" + port, e);
    }
    health.setStatus("", ServingStatus.SERVING);
    LOG.info("xDS (ADS, SotW and delta) listening on {}:{} ({}{})", bindAddress, server.getPort(),
        securityConfig.clientCa().isPresent() ? "mTLS" : securityConfig.tls() ? "TLS" : "plaintext",
        securityConfig.nodeTokens().isPresent() ? ", node group tokens" : "");
    return new AdsServer(server, health, executors, security, reloads);
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
    closeAll(security);
    reloads.shutdownNow();
  }

  private static boolean loopback(String bindAddress) {
    try {
      return java.net.InetAddress.getByName(bindAddress).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static void closeAll(List<AutoCloseable> closeables) {
    for (AutoCloseable closeable : closeables) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.debug("closing {} failed", closeable, e);
      }
    }
  }
}
