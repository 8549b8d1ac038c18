package dev.embassy.auth.grpc;

import dev.embassy.auth.check.CheckInput;
import dev.embassy.auth.jwt.CompactJws;
import dev.embassy.auth.jwt.TokenRejected;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the service before it reports ready. Envoy gives a Check 200 ms; a cold JVM spends longer
 * than that on the first one (loading Netty, the Envoy protos, JCA), so without this the first
 * requests after a start fail with 503 (the end-to-end test saw exactly that). The Checks go over
 * real loopback gRPC and carry {@link CheckInput#WARMUP_KEY}, which only config can set (clients
 * cannot set context extensions), so they are denied and not counted.
 */
public final class Warmup {
  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
  private static final int CHECKS = 200;
  /**
   * W3C trace context saying "not sampled": with tracing on, the parent-based sampler then records
   * none of the warm-up Checks, which would otherwise be 200 traces of noise at every start.
   */
  private static final io.grpc.Metadata UNSAMPLED = new io.grpc.Metadata();

  static {
    UNSAMPLED.put(io.grpc.Metadata.Key.of("traceparent", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
        "00-0000000000000000000000000000000a-000000000000000a-00");
  }

  private Warmup() {}

  public static void run(String bind, int port) {
    long start = System.nanoTime();
    String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
    ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    try {
      AuthorizationGrpc.AuthorizationBlockingStub stub = AuthorizationGrpc.newBlockingStub(channel)
          .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(UNSAMPLED));
      String rs256 = token("RS256");
      String es256 = token("ES256");
      for (int i = 0; i < CHECKS; i++) {
        stub.withDeadlineAfter(5, TimeUnit.SECONDS).check(CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
            .putContextExtensions(CheckInput.WARMUP_KEY, "true")
            .setRequest(AttributeContext.Request.newBuilder().setHttp(AttributeContext.HttpRequest.newBuilder()
                .setPath("/warmup").setMethod("GET").putHeaders("authorization", "Bearer " + (i % 2 == 0 ? rs256 : es256)))))
            .build());
      }
      for (String token : new String[] {rs256, es256}) {
        for (int i = 0; i < 50; i++) {
          CompactJws jws = CompactJws.parse(token, 8192);
          jws.algorithm().verify(jws.signature(), KEYS.get(jws.algorithm().name()).getPublic(), jws.signingInput());
        }
      }
      LOG.atInfo().addKeyValue("checks", CHECKS).addKeyValue("millis", (System.nanoTime() - start) / 1_000_000).log("warmed up");
    } catch (RuntimeException | TokenRejected e) {
      // Warm-up is an optimisation; a failure here must not stop the service.
      LOG.warn("warm-up incomplete: {}", e.toString());
    } finally {
      channel.shutdownNow();
    }
  }

  private static final java.util.Map<String, KeyPair> KEYS = new java.util.concurrent.ConcurrentHashMap<>();

  /** A correctly signed throwaway token, so parsing and the JCA verify path get loaded. */
  private static String token(String alg) {
    try {
      KeyPair keys;
      String jca;
      if (alg.equals("RS256")) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
        jca = "SHA256withRSA";
      } else {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        keys = generator.generateKeyPair();
        jca = "SHA256withECDSAinP1363Format";
      }
      KEYS.put(alg, keys);
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      String input = b64.encodeToString(("{\"alg\":\"" + alg + "\",\"kid\":\"warmup\"}").getBytes(StandardCharsets.UTF_8)) + "."
          + b64.encodeToString("{\"iss\":\"warmup\",\"sub\":\"warmup\",\"aud\":\"warmup\",\"exp\":4102444800}".getBytes(StandardCharsets.UTF_8));
      Signature signature = Signature.getInstance(jca);
      signature.initSign(keys.getPrivate());
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64.encodeToString(signature.sign());
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
