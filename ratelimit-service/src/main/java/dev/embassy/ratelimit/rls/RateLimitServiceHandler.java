package dev.embassy.ratelimit.rls;

import dev.embassy.ratelimit.status.RateLimitMetrics;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit over gRPC. The one place where
 * errors become gRPC statuses: a malformed request is INVALID_ARGUMENT, anything unexpected
 * INTERNAL (and Envoy applies the filter's failure_mode_deny).
 */
public final class RateLimitServiceHandler extends RateLimitServiceGrpc.RateLimitServiceImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitServiceHandler.class);

  private final RequestEvaluator evaluator;
  private final RateLimitMetrics metrics;

  public RateLimitServiceHandler(RequestEvaluator evaluator, RateLimitMetrics metrics) {
    this.evaluator = evaluator;
    this.metrics = metrics;
  }

  @Override
  public void shouldRateLimit(RateLimitRequest request, StreamObserver<RateLimitResponse> responses) {
    long started = System.nanoTime();
    // Envoy sends its filter timeout as the call's grpc-timeout; peer hops must fit inside it.
    Deadline deadline = Context.current().getDeadline();
    long callDeadline = deadline == null ? Long.MAX_VALUE : started + deadline.timeRemaining(TimeUnit.NANOSECONDS);
    try {
      evaluator.evaluate(request, callDeadline).whenComplete((response, error) -> {
        if (error != null) {
          LOG.error("ShouldRateLimit for domain {} failed", request.getDomain(), error);
          responses.onError(Status.INTERNAL.withDescription("rate-limit evaluation failed").asRuntimeException());
          return;
        }
        responses.onNext(response);
        responses.onCompleted();
        metrics.answered(System.nanoTime() - started);
      });
    } catch (RequestEvaluator.InvalidRequestException e) {
      responses.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    } catch (RuntimeException e) {
      LOG.error("ShouldRateLimit for domain {} failed", request.getDomain(), e);
      responses.onError(Status.INTERNAL.withDescription("rate-limit evaluation failed").asRuntimeException());
    }
  }
}
