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
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code envoy.service.auth.v3.Authorization/Check}: request in, decision, response out, metrics. */
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
    Decision decision;
    CheckInput input = input(request);
    try {
      decision = evaluator.check(input);
    } catch (RuntimeException e) {
      // A bug must not become an allow; deny with 503 and say so in the log.
      LOG.error("check failed unexpectedly; denying", e);
      decision = new Decision.Deny("unknown", "internal_error", 503, "", "the authorization service failed", java.util.List.of());
    }
    responses.onNext(CheckResponses.of(decision));
    responses.onCompleted();
    if (!input.warmup()) {
      metrics.decided(decision, System.nanoTime() - start);
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
    return new CheckInput(request.getAttributes().getContextExtensionsMap(), headers, http.getPath());
  }
}
