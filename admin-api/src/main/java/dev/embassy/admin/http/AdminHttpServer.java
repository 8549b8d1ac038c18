package dev.embassy.admin.http;

import dev.embassy.admin.auth.AdminTokens;
import dev.embassy.admin.auth.Principal;
import dev.embassy.admin.auth.Role;
import dev.embassy.config.store.ConfigStore;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The admin API's HTTP server: the endpoint list, authentication and error mapping, on Javalin. */
public final class AdminHttpServer implements AutoCloseable {
  /** The published OpenAPI document, kept in the repo and checked against {@link #endpoints()}. */
  public static final String OPENAPI_RESOURCE = "/openapi.json";

  private final Javalin app;
  private final List<Endpoint> endpoints;

  private final java.util.Optional<AdminTls> tls;

  private AdminHttpServer(Javalin app, List<Endpoint> endpoints, java.util.Optional<AdminTls> tls) {
    this.app = app;
    this.endpoints = endpoints;
    this.tls = tls;
  }

  /** Plain HTTP on {@code host:port}. */
  public static AdminHttpServer start(String host, int port, DataSource dataSource) {
    return start(host, port, dataSource, java.util.Optional.empty());
  }

  /** HTTPS only when {@code tls} is present, plain HTTP otherwise. */
  public static AdminHttpServer start(String host, int port, DataSource dataSource, java.util.Optional<AdminTls.PemFiles> tlsFiles) {
    ConfigStore store = new ConfigStore(dataSource);
    AdminTokens tokens = new AdminTokens(dataSource);
    Authentication authentication = new Authentication(tokens);
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry metrics =
        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    List<Endpoint> endpoints = endpoints(store, tokens, dataSource, metrics);
    java.util.Optional<AdminTls> tls = tlsFiles.map(AdminTls::load);

    Javalin app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      // Timed per endpoint template (not per URL, which would make one series per resource name).
      config.requestLogger.http((ctx, millis) -> io.micrometer.core.instrument.Timer.builder("embassy.admin.requests")
          .description("Admin API requests by method, endpoint and status")
          .tag("method", ctx.method().name())
          .tag("endpoint", endpointTemplate(ctx))
          .tag("status", Integer.toString(ctx.statusCode()))
          .register(metrics)
          .record(java.time.Duration.ofNanos((long) (millis * 1_000_000))));
      config.http.prefer405over404 = true;
      // Bodies are read (and bounded) by Bodies; this only caps Javalin's own buffering.
      config.http.maxRequestSize = ConfigEndpoints.MAX_DOCUMENT_BYTES;
      config.useVirtualThreads = true;
      config.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
      // Javalin adds its plain HTTP connector only when none is configured, so HTTPS replaces it.
      tls.ifPresent(t -> config.jetty.addConnector((server, http) -> t.connector(server, http, host, port)));
    });
    Problems.register(app);
    for (Endpoint endpoint : endpoints) {
      app.addHttpHandler(endpoint.method(), endpoint.path(), ctx -> {
        Principal caller = endpoint.role().map(role -> authentication.require(ctx, role)).orElse(null);
        endpoint.handler().handle(ctx, caller);
      });
    }
    if (tls.isPresent()) {
      app.start();
    } else {
      app.start(host, port);
    }
    return new AdminHttpServer(app, endpoints, tls);
  }

  /** The matched endpoint's path template; Javalin throws when none matched (404, 405). */
  private static String endpointTemplate(io.javalin.http.Context ctx) {
    try {
      return ctx.endpointHandlerPath();
    } catch (RuntimeException unmatched) {
      return "unmatched";
    }
  }

  /** Prometheus metrics; like everything but health, it needs a token (viewer). */
  private static Endpoint metricsEndpoint(io.micrometer.prometheusmetrics.PrometheusMeterRegistry metrics) {
    return Endpoint.of(HandlerType.GET, "/metrics", Role.viewer,
        (ctx, caller) -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
  }

  /** Every operation the API serves, in registration order. */
  public static List<Endpoint> endpoints(ConfigStore store, AdminTokens tokens, DataSource dataSource,
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry metrics) {
    List<Endpoint> endpoints = new ArrayList<>();
    endpoints.addAll(new HealthEndpoints(dataSource).endpoints());
    endpoints.add(Endpoint.of(HandlerType.GET, "/openapi.json", Role.viewer,
        (ctx, caller) -> ctx.contentType("application/json").result(openApiDocument())));
    dev.embassy.config.store.ProxyStatuses statuses = dataSource == null ? null : new dev.embassy.config.store.ProxyStatuses(dataSource);
    dev.embassy.config.store.Quarantines quarantines = dataSource == null ? null : new dev.embassy.config.store.Quarantines(dataSource);
    ConvergenceWait convergence = new ConvergenceWait(statuses, quarantines);
    endpoints.addAll(new ResourceEndpoints(store, convergence, quarantines).endpoints());
    dev.embassy.config.store.AuditLog auditLog = dataSource == null ? null : new dev.embassy.config.store.AuditLog(dataSource);
    endpoints.addAll(new ConfigEndpoints(store, convergence, statuses, auditLog).endpoints());
    endpoints.addAll(new TokenEndpoints(tokens, auditLog).endpoints());
    endpoints.addAll(new ProxyEndpoints(statuses, quarantines).endpoints());
    endpoints.add(metricsEndpoint(metrics));
    return List.copyOf(endpoints);
  }

  public static byte[] openApiDocument() {
    try (InputStream in = AdminHttpServer.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(OPENAPI_RESOURCE + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return app.port();
  }

  public List<Endpoint> endpoints() {
    return endpoints;
  }

  @Override
  public void close() {
    app.stop();
    tls.ifPresent(AdminTls::close);
  }
}
