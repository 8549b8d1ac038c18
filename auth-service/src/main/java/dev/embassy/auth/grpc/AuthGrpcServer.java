package dev.embassy.auth.grpc;

import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server: ext_authz Check plus grpc.health.v1, whose overall status (service "") and
 * the Authorization service's follow {@link #serving(boolean)}.
 */
public final class AuthGrpcServer implements AutoCloseable {
  private static final String SERVICE = "envoy.service.auth.v3.Authorization";

  private final Server server;
  private final HealthStatusManager health;

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;

  private AuthGrpcServer(Server server, HealthStatusManager health, EventLoopGroup boss, EventLoopGroup workers) {
    this.server = server;
    this.health = health;
    this.boss = boss;
    this.workers = workers;
  }

  /** @param authorization the ext_authz service, traced or not ({@code ServiceTracing.traced}) */
  public static AuthGrpcServer start(String bind, int port, int threads, io.grpc.ServerServiceDefinition authorization) {
    HealthStatusManager health = new HealthStatusManager();
    // One event loop per core: Checks run on the loops themselves (directExecutor below), so
    // Netty's default of two per core only adds threads competing for the same cores.
    // Epoll on Linux (grpc-netty-shaded ships it); NIO elsewhere, e.g. on a developer's Mac.
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup boss = epoll
        ? new EpollEventLoopGroup(1, Thread.ofPlatform().name("grpc-accept").daemon().factory())
        : new NioEventLoopGroup(1, Thread.ofPlatform().name("grpc-accept").daemon().factory());
    EventLoopGroup workers = epoll
        ? new EpollEventLoopGroup(threads, Thread.ofPlatform().name("grpc-worker-", 0).daemon().factory())
        : new NioEventLoopGroup(threads, Thread.ofPlatform().name("grpc-worker-", 0).daemon().factory());
    health.setStatus("", ServingStatus.NOT_SERVING);
    health.setStatus(SERVICE, ServingStatus.NOT_SERVING);
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(bind, port))
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .channelType(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
        // Checks run on the Netty event loop that read them: no hand-off to a pool thread and back,
        // which on this 2-core machine cost more CPU than the Check itself (bench/run auth). That
        // is only safe because a Check never blocks: one whose token names an unknown kid while
        // the JWKS refetch is in flight returns the loop at once and is answered when the refetch
        // settles or EMBASSY_AUTH_KID_REFETCH_WAIT passes (TokenVerifier, AuthorizationService).
        // Anything that blocked here would stall every other Check on the loop: with one loop per
        // core, half of all traffic on two cores (UnknownKidRefetchIT guards this).
        .directExecutor()
        .addService(authorization)
        .addService(health.getHealthService())
        // Envoy keeps one HTTP/2 connection per worker open; keepalive pings from it are fine.
        .permitKeepAliveWithoutCalls(true)
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not listen for gRPC on " + bind + ":" + port, e);
    }
    return new AuthGrpcServer(server, health, boss, workers);
  }

  public int port() {
    return server.getPort();
  }

  public void serving(boolean serving) {
    ServingStatus status = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus("", status);
    health.setStatus(SERVICE, status);
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
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
