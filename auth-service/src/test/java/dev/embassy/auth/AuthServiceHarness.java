package dev.embassy.auth;

import dev.embassy.config.model.AuthPolicy;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.TestDatabase;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The whole auth-service (AuthService as AuthServiceMain starts it) on a fresh test database and
 * free ports, a store to write policies into, and a real gRPC client for Check.
 */
public final class AuthServiceHarness implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final ConfigStore store;
  private final AuthService service;
  private final ManagedChannel channel;
  private final AuthorizationGrpc.AuthorizationBlockingStub stub;

  private AuthServiceHarness(ConfigStore store, AuthService service, ManagedChannel channel) {
    this.store = store;
    this.service = service;
    this.channel = channel;
    this.stub = AuthorizationGrpc.newBlockingStub(channel);
  }

  public static AuthServiceHarness start(TestDatabase db, Map<String, String> extraEnv) {
    ConfigSchema.migrate(db.dataSource());
    Map<String, String> env = new HashMap<>();
    env.put("EMBASSY_AUTH_PORT", Integer.toString(FreePorts.one()));
    env.put("EMBASSY_AUTH_STATUS_PORT", Integer.toString(FreePorts.one()));
    env.put("EMBASSY_DATABASE_URL", db.jdbcUrl());
    env.put("EMBASSY_DATABASE_USER", db.user());
    env.put("EMBASSY_DATABASE_PASSWORD", db.password());
    env.put("EMBASSY_AUTH_DEBOUNCE", "0ms");
    env.putAll(extraEnv);
    AuthService service = AuthService.start(AuthServiceConfig.fromEnvironment(env), Clock.systemUTC());
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", service.grpcPort()).usePlaintext().build();
    return new AuthServiceHarness(new ConfigStore(db.dataSource()), service, channel);
  }

  public ConfigStore store() {
    return store;
  }

  public AuthService service() {
    return service;
  }

  public ManagedChannel channel() {
    return channel;
  }

  public int grpcPort() {
    return service.grpcPort();
  }

  /** Creates or replaces {@code policy} and waits until the service runs that revision. */
  public void put(AuthPolicy policy) {
    var existing = store.get(dev.embassy.config.model.ResourceKind.AUTH_POLICY, policy.name());
    var result = existing.isPresent()
        ? store.replace(policy, OptionalLong.empty(), "test", "test")
        : store.create(policy, "test", "test");
    long revision = result.revision().orElseThrow().id();
    await(() -> service.health().report().policyRevision() >= revision, Duration.ofSeconds(10), "policy revision " + revision);
  }

  public CheckResponse check(String policy, Map<String, String> headers) {
    return check(policy, headers, "/orders");
  }

  public CheckResponse check(String policy, Map<String, String> headers, String path) {
    return stub.withDeadlineAfter(5, TimeUnit.SECONDS).check(request(policy, headers, path));
  }

  /** Sends a Check on the same channel (so the same HTTP/2 connection) without waiting for its answer. */
  public CompletableFuture<CheckResponse> checkLater(String policy, Map<String, String> headers) {
    CompletableFuture<CheckResponse> answer = new CompletableFuture<>();
    AuthorizationGrpc.newStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).check(request(policy, headers, "/orders"),
        new StreamObserver<>() {
          @Override
          public void onNext(CheckResponse response) {
            answer.complete(response);
          }

          @Override
          public void onError(Throwable error) {
            answer.completeExceptionally(error);
          }

          @Override
          public void onCompleted() {
            answer.completeExceptionally(new IllegalStateException("Check completed without a response"));
          }
        });
    return answer;
  }

  private static CheckRequest request(String policy, Map<String, String> headers, String path) {
    AttributeContext.Builder attributes = AttributeContext.newBuilder()
        .setRequest(AttributeContext.Request.newBuilder().setHttp(AttributeContext.HttpRequest.newBuilder()
            .setMethod("GET").setPath(path).setHost("api.test").putAllHeaders(headers)));
    if (policy != null) {
      attributes.putContextExtensions("embassy.policy", policy).putContextExtensions("embassy.route", "orders");
    }
    return CheckRequest.newBuilder().setAttributes(attributes).build();
  }

  public HttpResponse<String> status(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.statusPort() + path)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static void await(BooleanSupplier condition, Duration timeout, String what) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    service.close();
  }
}
