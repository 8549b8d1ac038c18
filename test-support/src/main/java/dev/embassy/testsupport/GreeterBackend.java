package dev.embassy.testsupport;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import dev.embassy.testsupport.greeter.v1.FailRequest;
import dev.embassy.testsupport.greeter.v1.GreeterGrpc;
import dev.embassy.testsupport.greeter.v1.GreeterOuterClass;
import dev.embassy.testsupport.greeter.v1.HelloReply;
import dev.embassy.testsupport.greeter.v1.HelloRequest;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real gRPC server (grpc-java, HTTP/2 cleartext) of the test Greeter service. Each reply names
 * the backend and carries the request's text metadata, so a test sees which backend answered and
 * what headers (trace context, client identity) reached it.
 */
public final class GreeterBackend implements AutoCloseable {
  private static final Context.Key<Map<String, String>> HEADERS = Context.key("headers");

  private final Server server;
  private final AtomicInteger calls = new AtomicInteger();

  private GreeterBackend(String id) throws IOException {
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .addService(ServerInterceptors.intercept(new Service(id, calls), new HeaderCapture()))
        .build()
        .start();
  }

  public static GreeterBackend start(String id) {
    try {
      return new GreeterBackend(id);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getPort();
  }

  /** Calls this backend has answered. */
  public int calls() {
    return calls.get();
  }

  /**
   * The Greeter's schema as {@code protoc --include_imports --descriptor_set_out} would write it,
   * base64-encoded: what a user uploads as a proto descriptor set.
   */
  public static String descriptorSetBase64() {
    LinkedHashSet<FileDescriptor> files = new LinkedHashSet<>();
    collect(GreeterOuterClass.getDescriptor(), files);
    FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
    files.forEach(f -> set.addFile(f.toProto()));
    return Base64.getEncoder().encodeToString(set.build().toByteArray());
  }

  private static void collect(FileDescriptor file, LinkedHashSet<FileDescriptor> into) {
    for (FileDescriptor dependency : file.getDependencies()) {
      collect(dependency, into);
    }
    into.add(file);
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static final class Service extends GreeterGrpc.GreeterImplBase {
    private final String id;
    private final AtomicInteger calls;

    Service(String id, AtomicInteger calls) {
      this.id = id;
      this.calls = calls;
    }

    @Override
    public void sayHello(HelloRequest request, StreamObserver<HelloReply> reply) {
      calls.incrementAndGet();
      reply.onNext(HelloReply.newBuilder().setMessage("hello " + request.getName()).setBackend(id).putAllHeaders(HEADERS.get()).build());
      reply.onCompleted();
    }

    @Override
    public void fail(FailRequest request, StreamObserver<HelloReply> reply) {
      calls.incrementAndGet();
      reply.onError(Status.fromCodeValue(request.getCode()).withDescription(request.getMessage()).asRuntimeException());
    }
  }

  /** Puts the call's text headers where the service can read them. */
  private static final class HeaderCapture implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata metadata, ServerCallHandler<Q, R> next) {
      Map<String, String> headers = new TreeMap<>();
      List<String> keys = new ArrayList<>(metadata.keys());
      for (String key : keys) {
        if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          headers.put(key, metadata.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER)));
        }
      }
      return Contexts.interceptCall(Context.current().withValue(HEADERS, headers), call, metadata, next);
    }
  }
}
