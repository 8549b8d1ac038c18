package dev.embassy.controlplane.xds;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets an ADS stream receive only its own node group's resources (SDS sends private keys). The
 * caller's node group is worked out once, when the stream opens, from its client certificate's
 * SPIFFE ID ({@link NodeGroupSpiffeId}), its bearer token ({@link NodeGroupTokens}), or both (they
 * must agree). Every request's {@code node.cluster} must then name that group: java-control-plane
 * serves each request the group its own node names, so checking only the first would let a later
 * request switch groups. That check is one string comparison per request.
 *
 * <p>A refused stream is closed with PERMISSION_DENIED (a node asking for another group) or
 * UNAUTHENTICATED (no identity at all), and counted by {@code reason}.
 */
public final class NodeGroupAuthorization implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(NodeGroupAuthorization.class);
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";

  private final Optional<String> certificateTrustDomain;
  private final Optional<NodeGroupTokens> tokens;
  private final Consumer<String> refused;

  /**
   * @param certificateTrustDomain present when client certificates bind streams to node groups
   * @param tokens present when streams must carry a node group's token
   * @param refused told the reason of every refusal (the metric)
   */
  public NodeGroupAuthorization(Optional<String> certificateTrustDomain, Optional<NodeGroupTokens> tokens, Consumer<String> refused) {
    this.certificateTrustDomain = certificateTrustDomain;
    this.tokens = tokens;
    this.refused = refused;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Optional<String> byCertificate = Optional.empty();
    if (certificateTrustDomain.isPresent()) {
      Optional<X509Certificate> leaf = peerCertificate(call);
      if (leaf.isEmpty()) {
        return refuse(call, Status.UNAUTHENTICATED.withDescription("a client certificate is required"), "no_client_certificate");
      }
      byCertificate = NodeGroupSpiffeId.nodeGroup(leaf.get(), certificateTrustDomain.get());
      if (byCertificate.isEmpty()) {
        return refuse(call, Status.PERMISSION_DENIED.withDescription("the client certificate names no node group: it needs one URI SAN "
            + NodeGroupSpiffeId.of(certificateTrustDomain.get(), "<node group>")), "no_node_group_identity");
      }
    }
    Optional<String> byToken = Optional.empty();
    if (tokens.isPresent()) {
      String authorization = headers.get(AUTHORIZATION);
      if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        return refuse(call, Status.UNAUTHENTICATED.withDescription("an \"authorization: Bearer <token>\" header is required"), "missing_token");
      }
      byToken = tokens.get().nodeGroup(authorization.substring(BEARER.length()).strip());
      if (byToken.isEmpty()) {
        return refuse(call, Status.UNAUTHENTICATED.withDescription("the bearer token is not one of any node group's"), "unknown_token");
      }
    }
    if (byCertificate.isPresent() && byToken.isPresent() && !byCertificate.equals(byToken)) {
      return refuse(call, Status.PERMISSION_DENIED.withDescription("the client certificate names node group \"" + byCertificate.get()
          + "\" but the token is node group \"" + byToken.get() + "\"'s"), "identity_conflict");
    }
    String group = byCertificate.isPresent() ? byCertificate.get() : byToken.orElseThrow();
    String authority = byCertificate.isPresent() ? "client certificate" : "token";
    GuardedCall<Q, R> guarded = new GuardedCall<>(call);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(guarded, headers)) {
      @Override
      public void onMessage(Q message) {
        if (guarded.isClosed()) {
          return;
        }
        String asked = askedGroup(message);
        if (!group.equals(asked)) {
          refused.accept("node_group_mismatch");
          LOG.atWarn().addKeyValue("peer", call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)).addKeyValue("node_group", group)
              .addKeyValue("asked", asked).log("ADS stream refused: its node asked for another node group");
          guarded.close(Status.PERMISSION_DENIED.withDescription("node group \"" + asked + "\" refused: this stream's " + authority
              + " is for node group \"" + group + "\""), new Metadata());
          return;
        }
        super.onMessage(message);
      }
    };
  }

  private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status, String reason) {
    refused.accept(reason);
    LOG.atWarn().addKeyValue("peer", call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)).addKeyValue("reason", reason)
        .log("ADS stream refused: {}", status.getDescription());
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /** The node group a request asks for: its node's cluster (empty when it names none). */
  private static String askedGroup(Object message) {
    if (message instanceof DiscoveryRequest request) {
      return request.getNode().getCluster();
    }
    if (message instanceof DeltaDiscoveryRequest request) {
      return request.getNode().getCluster();
    }
    throw new IllegalStateException("NodeGroupAuthorization guards ADS only, not " + message.getClass().getName());
  }

  private static Optional<X509Certificate> peerCertificate(ServerCall<?, ?> call) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Optional.of(leaf) : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  /**
   * The call as java-control-plane sees it: once this class has refused the stream, its further
   * responses and its own close are dropped (gRPC allows one close), and a response sent from a
   * stream executor never races the refusal.
   */
  private static final class GuardedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private boolean closed;

    GuardedCall(ServerCall<Q, R> call) {
      super(call);
    }

    synchronized boolean isClosed() {
      return closed;
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!closed) {
        super.sendMessage(message);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
    }
  }
}
