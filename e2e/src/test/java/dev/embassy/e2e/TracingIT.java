package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embassy.auth.OidcProvider;
import dev.embassy.testsupport.DemoBackend;
import dev.embassy.testsupport.FreePorts;
import dev.embassy.testsupport.OtlpTraceReceiver;
import dev.embassy.testsupport.OtlpTraceReceiver.ReceivedSpan;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * OpenTelemetry tracing through a real Envoy on generated config, the real auth-service and
 * ratelimit-service with tracing on (OTEL_EXPORTER_OTLP_ENDPOINT), a real OIDC provider, and an
 * OTLP receiver standing in for the collector (gRPC from Envoy, HTTP from the services): one request is one trace, from Envoy's span to
 * the ext_authz and RLS calls Envoy makes (its child spans, and the services' server spans under
 * them) to the traceparent the backend receives. A client's traceparent is joined, and its
 * "not sampled" is obeyed; at samplingPercent 0 no trace is started, while a caller's sampled one
 * is still recorded; a collector that is gone costs no request.
 */
@ExtendWith(PostgresExtension.class)
class TracingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GATEWAY_SERVICE = "edge-gateway";
  /** Envoy sends spans every 5 s (tracing.opentelemetry.flush_interval_ms), or sooner once 5 are batched. */
  private static final Duration ENVOY_FLUSH = Duration.ofSeconds(5);

  @Test
  void oneTraceCoversEnvoyTheAuthAndRateLimitCallsAndTheBackend(TestDatabase database) throws Exception {
    try (OtlpTraceReceiver collector = OtlpTraceReceiver.start();
        OidcProvider idp = OidcProvider.start(FreePorts.one(), "key-1");
        DemoBackend orders = DemoBackend.start("orders");
        Gateway gateway = Gateway.start(database, Map.of(), otel(collector), otel(collector))) {
      gateway.envoy().awaitReady(Duration.ofSeconds(30));
      // Tracing added to a gateway already serving, as an operator would.
      gateway.apply(config(idp, orders, collector, 100).replaceAll("(?m)^ *tracing: .*\n", ""));
      try {
        gateway.apply(config(idp, orders, collector, 100));
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\nEnvoy: " + gateway.envoy().logTail(60), e);
      }
      String token = "Bearer " + idp.token("alice", "orders-api", Map.of("scope", "orders:read"), 300);

      // A caller that did not sample: the context goes on unchanged, and nothing is recorded.
      String unsampledTrace = "0af7651916cd43dd8448eb211c80319c";
      Traceparent passedOn = backendSaw(gateway.get("/orders/1",
          Map.of("authorization", token, "traceparent", "00-" + unsampledTrace + "-b7ad6b7169203331-00")));
      assertThat(passedOn.traceId()).isEqualTo(unsampledTrace);
      assertThat(passedOn.sampled()).isFalse();

      // No traceparent: Envoy starts a trace (samplingPercent 100).
      Traceparent started = backendSaw(gateway.get("/orders/7", Map.of("authorization", token)));
      assertThat(started.sampled()).isTrue();

      // A client's sampled traceparent: Envoy joins that trace under the client's span.
      String clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
      String clientSpan = "00f067aa0ba902b7";
      Traceparent joined = backendSaw(gateway.get("/orders/8", Map.of("authorization", token, "traceparent", "00-" + clientTrace + "-" + clientSpan + "-01")));
      assertThat(joined.traceId()).as("the client's trace, not a new one").isEqualTo(clientTrace);

      long sentAt = System.nanoTime();
      List<ReceivedSpan> spans = collector.await(all -> complete(all, started.traceId()) && complete(all, clientTrace),
          Duration.ofSeconds(30), "both traces with Envoy's, auth-service's and ratelimit-service's spans");
      System.out.printf("all spans of both traces received %d ms after the last request%n", (System.nanoTime() - sentAt) / 1_000_000);
      for (Traceparent backend : List.of(started, joined)) {
        List<ReceivedSpan> trace = spans.stream().filter(s -> s.traceId().equals(backend.traceId())).toList();
        System.out.println("trace " + backend.traceId() + ":\n  " + String.join("\n  ", trace.stream().map(ReceivedSpan::toString).toList()));
        ReceivedSpan ingress = trace.stream().filter(s -> s.service().equals(GATEWAY_SERVICE) && s.spanId().equals(backend.parentId()))
            .findFirst().orElseThrow(() -> new AssertionError("the backend's parent span " + backend.parentId() + " is none of Envoy's: " + trace));
        assertThat(ingress.parentSpanId()).as("Envoy's request span: a root, or the client's span")
            .isEqualTo(backend.traceId().equals(clientTrace) ? clientSpan : "");

        ReceivedSpan authCall = child(trace, ingress, "envoy.service.auth.v3.Authorization");
        ReceivedSpan check = only(trace, "embassy-auth-service");
        assertThat(check.parentSpanId()).as("auth-service's Check is under Envoy's ext_authz span").isEqualTo(authCall.spanId());
        assertThat(check.name()).isEqualTo("envoy.service.auth.v3.Authorization/Check");
        assertThat(check.kind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);

        ReceivedSpan rlsCall = child(trace, ingress, "envoy.service.ratelimit.v3.RateLimitService");
        ReceivedSpan shouldRateLimit = only(trace, "embassy-ratelimit-service");
        assertThat(shouldRateLimit.parentSpanId()).as("ratelimit-service's call is under Envoy's RLS span").isEqualTo(rlsCall.spanId());
        assertThat(shouldRateLimit.name()).isEqualTo("envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit");
      }

      // samplingPercent 0: Envoy still passes a context on, but starts no recorded trace.
      gateway.apply(config(idp, orders, collector, 0));
      long notSampledAt = System.nanoTime();
      Traceparent notStarted = backendSaw(onNewConnection(gateway, "/orders/9", token, Optional.empty()));
      assertThat(notStarted.sampled()).isFalse();
      // ...while a caller's sampled context is still recorded: its decision, not samplingPercent.
      String forcedTrace = "5bf92f3577b34da6a3ce929d0e0e4736";
      assertThat(backendSaw(onNewConnection(gateway, "/orders/10", token, Optional.of("00-" + forcedTrace + "-" + clientSpan + "-01"))).traceId())
          .isEqualTo(forcedTrace);

      // Had either been recorded, Envoy would have sent its spans within one flush interval.
      Thread.sleep(Math.max(0, ENVOY_FLUSH.plusSeconds(1).toMillis() - (System.nanoTime() - notSampledAt) / 1_000_000));
      assertThat(collector.spans()).as("spans of the request the client did not sample")
          .noneMatch(s -> s.traceId().equals(unsampledTrace));
      assertThat(collector.spans()).as("spans of the request at samplingPercent 0")
          .noneMatch(s -> s.traceId().equals(notStarted.traceId()));
      collector.await(all -> all.stream().anyMatch(sp -> sp.traceId().equals(forcedTrace) && sp.service().equals(GATEWAY_SERVICE)),
          Duration.ofSeconds(10), "Envoy's spans of the sampled request at samplingPercent 0");

      // The collector goes away: Envoy's exports fail, the requests they belong to do not.
      collector.close();
      for (int i = 0; i < 4; i++) {
        Traceparent traced = backendSaw(gateway.get("/orders/" + i, Map.of("authorization", token,
            "traceparent", "00-" + clientTrace.substring(0, 30) + "0" + i + "-" + clientSpan + "-01")));
        assertThat(traced.sampled()).isTrue();
        Thread.sleep(500);
      }
    }
  }

  /** auth-service and ratelimit-service export to the receiver (OTLP/HTTP), soon after each call. */
  private static Map<String, String> otel(OtlpTraceReceiver collector) {
    return Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", collector.httpEndpoint(), "OTEL_BSP_SCHEDULE_DELAY", "100");
  }

  private static boolean complete(List<ReceivedSpan> spans, String traceId) {
    Predicate<ReceivedSpan> in = s -> s.traceId().equals(traceId);
    return spans.stream().anyMatch(in.and(s -> s.service().equals("embassy-auth-service")))
        && spans.stream().anyMatch(in.and(s -> s.service().equals("embassy-ratelimit-service")))
        && spans.stream().filter(in.and(s -> s.service().equals(GATEWAY_SERVICE))).count() >= 3;
  }

  private static ReceivedSpan child(List<ReceivedSpan> trace, ReceivedSpan parent, String nameContains) {
    return trace.stream().filter(s -> s.service().equals(GATEWAY_SERVICE) && s.parentSpanId().equals(parent.spanId()) && s.name().contains(nameContains))
        .findFirst().orElseThrow(() -> new AssertionError("no Envoy span for " + nameContains + " under " + parent + ": " + trace));
  }

  private static ReceivedSpan only(List<ReceivedSpan> trace, String service) {
    List<ReceivedSpan> of = trace.stream().filter(s -> s.service().equals(service)).toList();
    assertThat(of).as(service + "'s spans in the trace").hasSize(1);
    return of.getFirst();
  }

  /**
   * A request on a connection of its own: a kept-alive one would still belong to the listener as
   * it was before the last change (Envoy drains a changed listener's connections, it does not move them).
   */
  private static HttpResponse<String> onNewConnection(Gateway gateway, String path, String token, Optional<String> traceparent)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.listenerPort() + path))
        .header("authorization", token).timeout(Duration.ofSeconds(5));
    traceparent.ifPresent(t -> request.header("traceparent", t));
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  /** The W3C traceparent the backend received, from DemoBackend's echo of its request headers. */
  private record Traceparent(String traceId, String parentId, boolean sampled) {
    static Optional<Traceparent> parse(String header) {
      String[] parts = header.split("-");
      return parts.length == 4 && parts[1].length() == 32 && parts[2].length() == 16
          ? Optional.of(new Traceparent(parts[1], parts[2], (Integer.parseInt(parts[3], 16) & 1) == 1))
          : Optional.empty();
    }
  }

  private static Traceparent backendSaw(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String header = JSON.readTree(response.body()).path("headers").path("traceparent").asText();
    return Traceparent.parse(header).orElseThrow(() -> new AssertionError("the backend got no valid traceparent: " + response.body()));
  }

  private static String config(OidcProvider idp, DemoBackend backend, OtlpTraceReceiver collector, int samplingPercent) {
    return """
        clusters:
          - {name: orders, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %d}]}}}
        authPolicies:
          - name: orders-jwt
            providers:
              - {name: demo, issuer: "%s", discoveryUrl: "%s", audiences: [orders-api]}
            requirements: {scopes: [orders:read]}
        rateLimitPolicies:
          # 500 ms rather than the default 20 ms: a first RLS call that also opens the connection
          # must not time out (failing open, without a span from ratelimit-service).
          - name: per-user
            domain: e2e-traced
            timeout: 500ms
            requestDescriptors: [{entries: [{claim: {claim: sub, key: user}}]}]
            descriptors: [{key: user, limit: {requests: 1000, window: 1m}}]
        gateways:
          - name: edge
            nodeGroup: edge
            listeners: [{name: http, port: ${LISTENER_PORT}}]
            tracing: {collector: {address: 127.0.0.1, port: %d}, samplingPercent: %d, serviceName: %s}
        routes:
          - {name: orders, gateway: edge, authPolicy: orders-jwt, rateLimitPolicy: per-user,
             rules: [{matches: [{path: {value: /orders}}], backendRefs: [{cluster: orders}]}]}
        """.formatted(backend.port(), idp.issuer(), idp.discoveryUrl(), collector.grpcPort(), samplingPercent, GATEWAY_SERVICE);
  }
}
