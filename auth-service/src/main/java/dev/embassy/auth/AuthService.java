package dev.embassy.auth;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.auth.check.CheckEvaluator;
import dev.embassy.auth.grpc.AuthGrpcServer;
import dev.embassy.auth.grpc.AuthorizationService;
import dev.embassy.auth.grpc.Warmup;
import dev.embassy.auth.jwks.FetchSettings;
import dev.embassy.auth.jwks.JwksRegistry;
import dev.embassy.auth.jwt.TokenVerifier;
import dev.embassy.auth.jwt.VerifiedTokenCache;
import dev.embassy.auth.policy.LivePolicies;
import dev.embassy.auth.status.AuthMetrics;
import dev.embassy.auth.status.ServiceHealth;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigFollower;
import dev.embassy.status.StatusHttpServer;
import dev.embassy.tracing.ServiceTracing;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * auth-service wired together: config store → follower → live policies (with their JWKS) →
 * evaluator → gRPC Check (traced when OTEL_EXPORTER_OTLP_ENDPOINT is set); status server and gRPC
 * health on the side. Started by {@link AuthServiceMain} and, whole, by the integration tests.
 */
public final class AuthService implements AutoCloseable {
  private final HikariDataSource dataSource;
  private final JwksRegistry registry;
  private final ConfigFollower follower;
  private final AuthGrpcServer grpc;
  private final StatusHttpServer status;
  private final ScheduledExecutorService healthUpdates;
  private final ServiceHealth health;
  private final ExecutorService afterRefetch;
  private final ServiceTracing tracing;

  private AuthService(HikariDataSource dataSource, JwksRegistry registry, ConfigFollower follower, AuthGrpcServer grpc,
      StatusHttpServer status, ScheduledExecutorService healthUpdates, ServiceHealth health, ExecutorService afterRefetch,
      ServiceTracing tracing) {
    this.dataSource = dataSource;
    this.registry = registry;
    this.follower = follower;
    this.grpc = grpc;
    this.status = status;
    this.healthUpdates = healthUpdates;
    this.health = health;
    this.afterRefetch = afterRefetch;
    this.tracing = tracing;
  }

  public static AuthService start(AuthServiceConfig config, Clock clock) {
    AuthMetrics metrics = new AuthMetrics();
    JwksRegistry registry = new JwksRegistry(new FetchSettings(
        config.jwksTimeout(), config.jwksMaxBytes(), config.jwksRefreshMin(), config.jwksRefreshDefault(),
        config.jwksRefreshMax(), config.kidRefetchInterval()), metrics, clock);
    LivePolicies policies = new LivePolicies(registry);
    VerifiedTokenCache cache = new VerifiedTokenCache(config.tokenCacheSize(), clock);
    // Verifications that waited for an unknown kid's refetch finish here, off the event loops;
    // virtual threads, as the fetches themselves: rare, short, and bounded by the refetch wait.
    ExecutorService afterRefetch = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("check-after-refetch-", 0).factory());
    TokenVerifier verifier = new TokenVerifier(cache, config.maxTokenBytes(), config.kidRefetchWait(), afterRefetch, clock);
    CheckEvaluator evaluator = new CheckEvaluator(policies::current, verifier, metrics::cacheLookup);

    HikariDataSource dataSource = ConfigDatabase.connect(config.databaseUrl(), config.databaseUser(), config.databasePassword(), 2);
    ConfigFollower follower = new ConfigFollower(dataSource, config.debounce(), policies).start();
    ServiceHealth health = new ServiceHealth(follower::healthy, () -> policies.current().revision(), registry::states, policies::rejected);

    metrics.gauge("embassy.auth.store.reachable", "1 while the config store is reachable, 0 while the last loaded policies are served",
        () -> follower.healthy() ? 1 : 0);
    metrics.gauge("embassy.auth.policies", "Auth policies in force", () -> policies.current().byName().size());
    metrics.gauge("embassy.auth.policy.revision", "Config revision the policies in force come from", () -> policies.current().revision());
    metrics.gauge("embassy.auth.token.cache.entries", "Verified tokens cached", cache::size);
    metrics.gauge("embassy.auth.jwks.providers.failing", "Key sources whose last fetch failed",
        () -> registry.states().stream().filter(s -> s.lastError().isPresent()).count());

    ServiceTracing tracing = ServiceTracing.start(config.openTelemetry(), "embassy-auth-service");
    AuthGrpcServer grpc = AuthGrpcServer.start(config.bind(), config.port(), config.grpcThreads(),
        tracing.traced(new AuthorizationService(evaluator, metrics)));
    Warmup.run(config.bind(), grpc.port());
    StatusHttpServer status = StatusHttpServer.start(config.statusBind(), config.statusPort(), () -> health.report().status(), metrics::scrape);
    ScheduledExecutorService healthUpdates =
        Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("grpc-health").daemon().factory());
    // gRPC health turns SERVING once ready and stays so while degraded: serving the last policies
    // and cached keys beats failing every request.
    healthUpdates.scheduleWithFixedDelay(() -> grpc.serving(health.report().ready()), 0, 200, TimeUnit.MILLISECONDS);
    return new AuthService(dataSource, registry, follower, grpc, status, healthUpdates, health, afterRefetch, tracing);
  }

  public int grpcPort() {
    return grpc.port();
  }

  public int statusPort() {
    return status.port();
  }

  public ServiceHealth health() {
    return health;
  }

  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

  @Override
  public void close() {
    healthUpdates.shutdownNow();
    status.close();
    grpc.close();
    afterRefetch.shutdownNow();
    follower.close();
    registry.close();
    dataSource.close();
    // Last: the spans of the final Checks are flushed once no more can start.
    tracing.close();
  }
}
