package dev.embassy.controlplane.translate;

import com.google.protobuf.UInt32Value;
import com.google.protobuf.util.Durations;
import dev.embassy.config.model.DurationText;
import dev.embassy.config.model.Route;
import dev.embassy.controlplane.ir.RouteRule;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.List;

/**
 * What a matched request does: redirect, answer directly, or go to (weighted) backends with the
 * rule's timeouts, retries, rewrites and mirrors.
 */
final class RouteActionTranslator {
  private RouteActionTranslator() {}

  static void apply(RouteRule rule, io.envoyproxy.envoy.config.route.v3.Route.Builder route) {
    Route.Rule config = rule.rule();
    for (Route.Filter filter : config.filters()) {
      if (filter.requestRedirect().isPresent()) {
        route.setRedirect(redirect(filter.requestRedirect().get()));
        return;
      }
    }
    java.util.Optional<io.envoyproxy.envoy.config.route.v3.DirectResponseAction> direct = DirectResponseTranslator.of(config);
    if (direct.isPresent()) {
      route.setDirectResponse(direct.get());
      return;
    }
    RouteAction.Builder action = RouteAction.newBuilder();
    // Zero-weight backends receive nothing; leaving them out keeps WeightedCluster valid.
    List<Route.BackendRef> backends = config.backendRefs().stream().filter(b -> b.weight() > 0).toList();
    if (backends.size() == 1) {
      action.setCluster(backends.getFirst().cluster());
    } else {
      WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
      for (Route.BackendRef backend : backends) {
        weighted.addClusters(WeightedCluster.ClusterWeight.newBuilder().setName(backend.cluster()).setWeight(UInt32Value.of(backend.weight())));
      }
      action.setWeightedClusters(weighted);
    }
    config.timeouts().flatMap(Route.Timeouts::request)
        .ifPresent(t -> action.setTimeout(Durations.fromMillis(DurationText.of(t).toMillis())));
    retry(config).ifPresent(action::setRetryPolicy);
    RouteExtrasTranslator.action(config, action);
    for (Route.Filter filter : config.filters()) {
      filter.urlRewrite().ifPresent(rewrite -> {
        rewrite.hostname().ifPresent(action::setHostRewriteLiteral);
        rewrite.path().ifPresent(path -> {
          if (path.type() == Route.PathModifierType.ReplacePrefixMatch) {
            action.setPrefixRewrite(path.value());
          } else {
            action.setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
                .setPattern(RegexMatcher.newBuilder().setRegex("^/.*$"))
                .setSubstitution(path.value()));
          }
        });
      });
      filter.requestMirror().ifPresent(mirror -> action.addRequestMirrorPolicies(
          RouteAction.RequestMirrorPolicy.newBuilder()
              .setCluster(mirror.cluster())
              .setRuntimeFraction(RuntimeFractionalPercent.newBuilder()
                  .setDefaultValue(FractionalPercent.newBuilder().setNumerator(mirror.percent()).setDenominator(FractionalPercent.DenominatorType.HUNDRED)))));
    }
    route.setRoute(action);
  }

  /** Gateway API's backendRequest timeout is a per-attempt timeout, which Envoy keeps in the retry policy. */
  private static java.util.Optional<RetryPolicy> retry(Route.Rule rule) {
    java.util.Optional<String> perTry = rule.timeouts().flatMap(Route.Timeouts::backendRequest);
    if (rule.retry().isEmpty() && perTry.isEmpty()) {
      return java.util.Optional.empty();
    }
    RetryPolicy.Builder policy = RetryPolicy.newBuilder();
    perTry.ifPresent(t -> policy.setPerTryTimeout(Durations.fromMillis(DurationText.of(t).toMillis())));
    rule.retry().ifPresentOrElse(retry -> {
      policy.setNumRetries(UInt32Value.of(retry.attempts()));
      List<Integer> codes = retry.codes();
      policy.setRetryOn(codes.isEmpty() ? "connect-failure,refused-stream,reset,unavailable" : "connect-failure,refused-stream,reset,retriable-status-codes");
      policy.addAllRetriableStatusCodes(codes);
      retry.backoff().ifPresent(b -> policy.setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder()
          .setBaseInterval(Durations.fromMillis(DurationText.of(b).toMillis()))));
    }, () -> policy.setNumRetries(UInt32Value.of(0)));
    return java.util.Optional.of(policy.build());
  }

  private static RedirectAction redirect(Route.Redirect redirect) {
    RedirectAction.Builder action = RedirectAction.newBuilder();
    redirect.scheme().ifPresent(action::setSchemeRedirect);
    redirect.hostname().ifPresent(action::setHostRedirect);
    redirect.port().ifPresent(action::setPortRedirect);
    redirect.path().ifPresent(path -> {
      if (path.type() == Route.PathModifierType.ReplacePrefixMatch) {
        action.setPrefixRewrite(path.value());
      } else {
        action.setPathRedirect(path.value());
      }
    });
    action.setResponseCode(switch (redirect.statusCode()) {
      case 301 -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
      case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
      case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
      case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
      default -> RedirectAction.RedirectResponseCode.FOUND;
    });
    return action.build();
  }
}
