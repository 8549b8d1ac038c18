package dev.embassy.ratelimit;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.ratelimit.cluster.ClusterView;
import dev.embassy.ratelimit.cluster.ConsulMembership;
import dev.embassy.ratelimit.cluster.ForwardingWarmUp;
import dev.embassy.ratelimit.cluster.GlobalModeCounters;
import dev.embassy.ratelimit.cluster.HandOverSweeper;
import dev.embassy.ratelimit.cluster.HitRouter;
import dev.embassy.ratelimit.cluster.LiveCluster;
import dev.embassy.ratelimit.cluster.Member;
import dev.embassy.ratelimit.cluster.Membership;
import dev.embassy.ratelimit.cluster.PeerChannels;
import dev.embassy.ratelimit.cluster.PeerService;
import dev.embassy.ratelimit.cluster.StaticMembership;
import dev.embassy.ratelimit.config.ActivePolicies;
import dev.embassy.ratelimit.config.PolicySource;
import dev.embassy.ratelimit.config.StaticPolicyDirectory;
import dev.embassy.ratelimit.config.StorePolicySource;
import dev.embassy.ratelimit.rls.RateLimitServiceHandler;
import dev.embassy.ratelimit.rls.RequestEvaluator;
import dev.embassy.ratelimit.status.NodeHealth;
import dev.embassy.ratelimit.status.RateLimitMetrics;
import dev.embassy.ratelimit.window.CounterStore;
import dev.embassy.ratelimit.window.MillisClock;
import dev.embassy.status.StatusHttpServer;
import dev.embassy.tracing.ServiceTracing;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running rate-limit node: the gRPC server (RLS, the peer protocol, grpc.health.v1), the
 * status server, the policy source, and the cluster machinery. {@link #close()} leaves the cluster
 * gracefully: it stops reporting SERVING, waits for peers to notice, hands every counter to its
 * next owner, and only then stops serving.
 */
public final class RateLimitNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitNode.class);

  private final RateLimitServiceConfig config;
  private final Optional<HikariDataSource> dataSource;
  private final PolicySource policySource;
  private final ActivePolicies policies;
  private final CounterStore store;
  private final RateLimitMetrics metrics;
  private final PeerChannels channels;
  private final LiveCluster cluster;
  private final GlobalModeCounters global;
  private final HitRouter router;
  private final HandOverSweeper sweeper;
  private final HealthStatusManager health = new HealthStatusManager();
  private final EventLoopGroup acceptLoop;
  private final EventLoopGroup eventLoops;
  private final Server server;
  private final StatusHttpServer status;
  private final ServiceTracing tracing;
  private final ScheduledExecutorService readiness =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("readiness").daemon().unstarted(r));
  private final AtomicBoolean ready = new AtomicBoolean();
  private final Thread warmUp;
  private final AtomicLong warmUpForwards = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  private RateLimitNode(RateLimitServiceConfig config, Optional<HikariDataSource> dataSource,
      Function<ActivePolicies, PolicySource> policySource, java.util.function.BiFunction<Member, RateLimitMetrics, Membership> membership,
      MillisClock clock) {
    this.config = config;
    this.dataSource = dataSource;
    this.metrics = new RateLimitMetrics();
    this.policies = new ActivePolicies();
    this.store = new CounterStore(clock);
    this.channels = new PeerChannels();
    Member self = config.self();
    this.cluster = new LiveCluster(self, membership.apply(self, metrics), channels, config.probeInterval(), config.probeInterval(), metrics);
    this.global = new GlobalModeCounters(cluster, store, channels, config.globalSyncInterval(), metrics);
    this.router = new HitRouter(cluster, store, channels, global, config.batchWindow(), config.batchSize(), config.peerTimeout(), metrics);
    this.sweeper = new HandOverSweeper(cluster, store, channels, config.sweepInterval(), metrics);
    health.setStatus("", ServingStatus.NOT_SERVING);
    // Epoll on Linux (grpc-netty-shaded ships it), NIO elsewhere (a developer's Mac).
    boolean epoll = Epoll.isAvailable();
    this.acceptLoop = eventLoops(epoll, 1, "grpc-accept");
    this.eventLoops = eventLoops(epoll, config.grpcThreads(), "grpc-worker-");
    // Only Envoy's RLS calls are traced: peer forwards and health checks carry no trace of a request.
    this.tracing = ServiceTracing.start(config.openTelemetry(), "embassy-ratelimit-service");
    this.server = startServer(config, tracing.traced(new RateLimitServiceHandler(new RequestEvaluator(policies, router, metrics), metrics)),
        new PeerService(store, metrics), health, acceptLoop, eventLoops, epoll);
    this.policySource = policySource.apply(policies);
    metrics.gauge("embassy.ratelimit.counters", "Sliding-window counters held by this node", store::size);
    metrics.gauge("embassy.ratelimit.policies", "Rate-limit policies (domains) enforced", () -> policies.current().byDomain().size());
    metrics.gauge("embassy.ratelimit.policy.source.reachable",
        "1 while the config store (or config directory) is readable, 0 while the last policies are enforced", () -> this.policySource.healthy() ? 1 : 0);
    this.status = StatusHttpServer.start(config.statusBind(), config.statusPort(), () -> health().status(), metrics::scrape);
    cluster.start();
    global.start();
    sweeper.start();
    metrics.gauge("embassy.ratelimit.warmup.forwards",
        "Synthetic forwards this node sent itself before reporting SERVING (EMBASSY_RATELIMIT_WARMUP)", warmUpForwards::get);
    this.warmUp = Thread.ofPlatform().name("warm-up").daemon().start(() -> {
      try {
        warmUpForwards.set(ForwardingWarmUp.run(loopbackFor(config.bind()), server.getPort(), config.batchWindow().toNanos(),
            config.batchSize(), config.warmUp(), closed::get));
      } catch (RuntimeException e) {
        // A node that cannot warm up still serves; it only starts cold.
        LOG.warn("forwarding warm-up failed, starting cold: {}", e.toString());
      }
    });
    readiness.scheduleWithFixedDelay(this::checkReady, 0, 20, TimeUnit.MILLISECONDS);
  }

  /** Where this node reaches its own gRPC server: loopback when it listens on every address. */
  private static String loopbackFor(String bind) {
    try {
      // Java's wildcard socket is dual-stack, so 127.0.0.1 reaches "::" too.
      return InetAddress.getByName(bind).isAnyLocalAddress() ? "127.0.0.1" : bind;
    } catch (UnknownHostException e) {
      return bind;
    }
  }

  /** Starts a node as configured: policies from the config directory if set, else the store. */
  public static RateLimitNode start(RateLimitServiceConfig config) {
    if (config.configDir().isPresent()) {
      return start(config, active -> StaticPolicyDirectory.start(config.configDir().get(), active));
    }
    HikariDataSource dataSource = ConfigDatabase.connect(config.databaseUrl(), config.databaseUser(), config.databasePassword(), 2);
    return new RateLimitNode(config, Optional.of(dataSource), active -> StorePolicySource.start(dataSource, active),
        (self, meters) -> membership(config, self, meters), MillisClock.system());
  }

  /** Starts a node whose policies come from {@code policySource} (tests, embedding). */
  public static RateLimitNode start(RateLimitServiceConfig config, Function<ActivePolicies, PolicySource> policySource) {
    return new RateLimitNode(config, Optional.empty(), policySource, (self, meters) -> membership(config, self, meters), MillisClock.system());
  }

  private static Membership membership(RateLimitServiceConfig config, Member self, RateLimitMetrics metrics) {
    if (config.consul().isPresent()) {
      return ConsulMembership.start(self, config.consul().get(), config.consulService(), config.consulCheckInterval(), metrics.registry());
    }
    return new StaticMembership(self, config.peers());
  }

  private static EventLoopGroup eventLoops(boolean epoll, int threads, String name) {
    return epoll
        ? new EpollEventLoopGroup(threads, Thread.ofPlatform().name(name, 0).daemon().factory())
        : new NioEventLoopGroup(threads, Thread.ofPlatform().name(name, 0).daemon().factory());
  }

  private static Server startServer(RateLimitServiceConfig config, io.grpc.ServerServiceDefinition rls, PeerService peers,
      HealthStatusManager health, EventLoopGroup acceptLoop, EventLoopGroup eventLoops, boolean epoll) {
    try {
      return NettyServerBuilder.forAddress(new InetSocketAddress(config.bind(), config.port()))
          // One event loop per core by default: calls are decided on the loops themselves
          // (directExecutor below), so Netty's default of two per core only adds threads competing
          // for the same cores (bench/run ratelimit; auth-service measured the same).
          .bossEventLoopGroup(acceptLoop)
          .workerEventLoopGroup(eventLoops)
          .channelType(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
          // Every handler is non-blocking (a map lookup and a few arithmetic operations, or an
          // asynchronous forward), so calls run on the transport threads without a hand-off.
          .directExecutor()
          .addService(rls)
          .addService(peers)
          .addService(health.getHealthService())
          // Peers keep their channels alive every 30 s; allow it.
          .permitKeepAliveTime(10, TimeUnit.SECONDS)
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not listen for gRPC on " + config.bind() + ":" + config.port(), e);
    }
  }

  private void checkReady() {
    if (!ready.get() && !closed.get() && !warmUp.isAlive() && policies.loaded() && cluster.settled()) {
      ready.set(true);
      health.setStatus("", ServingStatus.SERVING);
      LOG.info("node {} ready: {} policies, {}", cluster.self().id(), policies.current().byDomain().size(), cluster.view());
      readiness.shutdown();
    }
  }

  public NodeHealth health() {
    ClusterView view = cluster.view();
    return new NodeHealth(ready.get() && !closed.get(), cluster.self().id(), policySource.describe(), policySource.healthy(),
        policies.current().revision(), policies.current().byDomain().size(), cluster.membership().describe(),
        cluster.membership().healthy(), view.members().stream().map(Member::id).toList(), store.size());
  }

  public int grpcPort() {
    return server.getPort();
  }

  public int statusPort() {
    return status.port();
  }

  public ClusterView view() {
    return cluster.view();
  }

  public CounterStore store() {
    return store;
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    health.setStatus("", ServingStatus.NOT_SERVING);
    readiness.shutdownNow();
    // The warm-up sees `closed` and ends within one forward's deadline; none may outlive the node.
    try {
      warmUp.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Optional<ClusterView> next = cluster.view().withoutSelf();
    if (next.isPresent()) {
      // Peers stop sending here after their next probe; hits still arriving meanwhile are counted
      // here and go with the rest.
      sleep(config.probeInterval().toMillis() * 2 + 50);
      global.close();
      global.flush();
      sweeper.close();
      int handed = sweeper.sweep(next.get());
      LOG.info("leaving: handed {} counters to {}", handed, next.get().members().stream().map(Member::id).toList());
    }
    sweeper.close();
    server.shutdown();
    try {
      server.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.shutdownNow();
    acceptLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    router.close();
    global.close();
    cluster.close();
    channels.close();
    status.close();
    policySource.close();
    dataSource.ifPresent(HikariDataSource::close);
    // Last: the spans of the final calls are flushed once no more can start.
    tracing.close();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
