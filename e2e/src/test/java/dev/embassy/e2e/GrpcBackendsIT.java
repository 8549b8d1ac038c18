package dev.embassy.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embassy.testsupport.GreeterBackend;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import dev.embassy.testsupport.greeter.v1.GreeterGrpc;
import dev.embassy.testsupport.greeter.v1.HelloReply;
import dev.embassy.testsupport.greeter.v1.HelloRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * gRPC backends through a real Envoy on generated config, against a real grpc-java server: a
 * gRPC call over HTTP/2 end to end, the same method called as gRPC-Web over HTTP/1.1, and REST
 * calls transcoded to it from an uploaded descriptor set (path variable, JSON body, a gRPC error
 * as an HTTP status, an unmapped path refused).
 */
@ExtendWith(PostgresExtension.class)
class GrpcBackendsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void grpcGrpcWebAndTranscodedRestReachAGrpcBackend(TestDatabase database) throws Exception {
    try (GreeterBackend backend = GreeterBackend.start("greeter-1");
        Gateway gateway = Gateway.start(database, Map.of())) {
      gateway.envoy().awaitReady(Duration.ofSeconds(30));
      gateway.apply("""
          protoDescriptorSets:
            - {name: greeter, fileDescriptorSet: %2$s}
          clusters:
            - {name: greeter, http2: true, discovery: {static: {endpoints: [{address: 127.0.0.1, port: %1$d}]}}}
          gateways: [{name: edge, nodeGroup: edge, listeners: [{name: http, port: ${LISTENER_PORT}}]}]
          routes:
            - name: greeter
              gateway: edge
              rules:
                - matches: [{path: {type: PathPrefix, value: /v1/}}]
                  filters: [{type: GrpcJsonTranscoding, grpcJsonTranscoding: {protoDescriptorSet: greeter}}]
                  backendRefs: [{cluster: greeter}]
                - matches: [{path: {type: PathPrefix, value: /embassy.test.greeter.v1.Greeter/}}]
                  grpcWeb: true
                  backendRefs: [{cluster: greeter}]
          """.formatted(backend.port(), GreeterBackend.descriptorSetBase64()));

      // gRPC: HTTP/2 cleartext from a grpc-java client, through Envoy, to the backend.
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", gateway.listenerPort()).usePlaintext().build();
      try {
        HelloReply reply = GreeterGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
            .sayHello(HelloRequest.newBuilder().setName("grpc").build());
        assertThat(reply.getMessage()).isEqualTo("hello grpc");
        assertThat(reply.getBackend()).isEqualTo("greeter-1");
        // Envoy forwarded it as gRPC (the backend saw its own request id header from the edge).
        assertThat(reply.getHeadersMap()).containsKey("x-request-id");
        StatusRuntimeException failed = org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class,
            () -> GreeterGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .fail(dev.embassy.testsupport.greeter.v1.FailRequest.newBuilder().setCode(Status.Code.PERMISSION_DENIED.value()).setMessage("no").build()));
        assertThat(failed.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(failed.getStatus().getDescription()).isEqualTo("no");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }

      // gRPC-Web: the same method over HTTP/1.1, the reply's trailers inside the body.
      byte[] message = HelloRequest.newBuilder().setName("web").build().toByteArray();
      HttpResponse<byte[]> web = HTTP1.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.listenerPort()
              + "/embassy.test.greeter.v1.Greeter/SayHello"))
          .header("content-type", "application/grpc-web+proto").header("x-grpc-web", "1")
          .POST(HttpRequest.BodyPublishers.ofByteArray(frame(0, message))).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(web.statusCode()).isEqualTo(200);
      assertThat(web.headers().firstValue("content-type")).hasValue("application/grpc-web+proto");
      ByteBuffer frames = ByteBuffer.wrap(web.body());
      assertThat(frames.get()).as("first frame is a message").isEqualTo((byte) 0);
      byte[] replyBytes = new byte[frames.getInt()];
      frames.get(replyBytes);
      assertThat(HelloReply.parseFrom(replyBytes).getMessage()).isEqualTo("hello web");
      assertThat(frames.get()).as("second frame is the trailers").isEqualTo((byte) 0x80);
      byte[] trailers = new byte[frames.getInt()];
      frames.get(trailers);
      assertThat(new String(trailers, StandardCharsets.US_ASCII)).contains("grpc-status:0");

      // Transcoding: GET with a path variable, POST with a JSON body, both become SayHello.
      HttpResponse<String> got = gateway.get("/v1/greetings/rest", Map.of());
      assertThat(got.statusCode()).isEqualTo(200);
      assertThat(got.headers().firstValue("content-type")).hasValue("application/json");
      JsonNode gotBody = JSON.readTree(got.body());
      assertThat(gotBody.get("message").asText()).isEqualTo("hello rest");
      assertThat(gotBody.get("backend").asText()).isEqualTo("greeter-1");
      HttpResponse<String> posted = gateway.post("/v1/greetings", "{\"name\":\"json\"}", Map.of("content-type", "application/json"));
      assertThat(posted.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(posted.body()).get("message").asText()).isEqualTo("hello json");
      // A gRPC error comes back as its HTTP status (NOT_FOUND → 404), the status as a JSON google.rpc.Status.
      HttpResponse<String> failed = gateway.post("/v1/failures", "{\"code\":5,\"message\":\"missing\"}", Map.of("content-type", "application/json"));
      assertThat(failed.statusCode()).isEqualTo(404);
      assertThat(JSON.readTree(failed.body())).isEqualTo(JSON.readTree("{\"code\":5,\"message\":\"missing\"}"));
      // Malformed JSON is refused by Envoy before the backend.
      int callsBefore = backend.calls();
      HttpResponse<String> malformed = gateway.post("/v1/greetings", "{\"name\":", Map.of("content-type", "application/json"));
      assertThat(malformed.statusCode()).isEqualTo(400);
      // A path no binding maps is refused, not passed to the gRPC backend as HTTP/1 JSON.
      HttpResponse<String> unmapped = gateway.get("/v1/unknown", Map.of());
      assertThat(unmapped.statusCode()).isEqualTo(404);
      assertThat(backend.calls()).isEqualTo(callsBefore);
    }
  }

  /** A gRPC(-Web) length-prefixed frame: flags, big-endian length, payload. */
  private static byte[] frame(int flags, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(flags);
    out.writeBytes(ByteBuffer.allocate(4).putInt(payload.length).array());
    out.writeBytes(payload);
    return out.toByteArray();
  }
}
