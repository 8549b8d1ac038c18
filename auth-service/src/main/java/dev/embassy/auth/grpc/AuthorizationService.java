package dev.embassy.auth.grpc;

import dev.embassy.auth.check.CheckEvaluator;
import dev.embassy.auth.check.CheckInput;
import dev.embassy.auth.check.Decision;
import dev.embassy.auth.status.AuthMetrics;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code envoy.service.auth.v3.Authorization/Check}: request in, decision, response out, metrics.
 * Runs on the Netty event loop that read the request (AuthGrpcServer) and never blocks it: a
 * decision still waiting for a JWKS refetch is answered later, from the thread that completes it.
 */
public final class AuthorizationService extends AuthorizationGrpc.AuthorizationImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(AuthorizationService.class);

  private final CheckEvaluator evaluator;
  private final AuthMetrics metrics;

  public AuthorizationService(CheckEvaluator evaluator, AuthMetrics metrics) {
    this.evaluator = evaluator;
    this.metrics = metrics;
  }

  @Override
  public void check(CheckRequest request, StreamObserver<CheckResponse> responses) {
    long start = System.nanoTime();
    CheckInput input = input(request);
    CompletableFuture<Decision> decision = decide(input);
    if (decision.isDone()) {
      // The normal case: answered right here, on the event loop that read the request.
      respond(input, decision, start, responses);
      return;
    }
    // Waiting for a JWKS refetch: returning frees the event loop for the other Checks on it, and
    // the answer goes out from the thread that completes the decision. If Envoy has given up
    // meanwhile (its ext_authz timeout), gRPC drops the late answer to a unary call silently.
    decision.whenComplete((decided, failure) -> {
      try {
        respond(input, decision, start, responses);
      } catch (RuntimeException e) {
        // On the event loop gRPC would close the call itself; off it, nobody would.
        LOG.error("could not answer a check", e);
        responses.onError(Status.INTERNAL.withDescription("the authorization service failed").asRuntimeException());
      }
    });
  }

  private CompletableFuture<Decision> decide(CheckInput input) {
    try {
      return evaluator.check(input);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Answers with the decision {@code decided} holds (a 503 denial if it failed) and records it. */
  private void respond(CheckInput input, CompletableFuture<Decision> decided, long start, StreamObserver<CheckResponse> responses) {
    Decision decision;
    try {
      decision = decided.join();
    } catch (CompletionException e) {
      // A bug must not become an allow; deny with 503 and say so in the log.
      LOG.error("check failed unexpectedly; denying", e.getCause());
      decision = new Decision.Deny("unknown", "internal_error", 503, "", "the authorization service failed", List.of());
    }
    responses.onNext(CheckResponses.of(decision));
    responses.onCompleted();
    if (!input.warmup()) {
      // From the Check's arrival to its answer: a refetch wait is part of the decision's latency.
      metrics.decided(decision, System.nanoTime() - start);
      if (input.clientPrincipal().isPresent()) {
        metrics.clientCertificateChecked(decision.policy());
      }
    }
  }

  static CheckInput input(CheckRequest request) {
    AttributeContext.HttpRequest http = request.getAttributes().getRequest().getHttp();
    Map<String, String> headers = http.getHeadersMap();
    if (headers.isEmpty() && http.hasHeaderMap()) {
      // Envoy sends header_map instead of headers when encode_raw_headers is set.
      headers = new HashMap<>();
      for (HeaderValue header : http.getHeaderMap().getHeadersList()) {
        String value = header.getValue().isEmpty() ? header.getRawValue().toString(StandardCharsets.UTF_8) : header.getValue();
        headers.merge(header.getKey().toLowerCase(Locale.ROOT), value, (a, b) -> a + "," + b);
      }
    }
    // Envoy fills source.principal only from a client certificate it verified (mutual TLS); a
    // header cannot forge it.
    String principal = request.getAttributes().getSource().getPrincipal();
    return new CheckInput(request.getAttributes().getContextExtensionsMap(), headers, http.getPath(),
        principal.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(principal));
  }
}
