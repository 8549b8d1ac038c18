package dev.embassy.auth.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import org.junit.jupiter.api.Test;

/** What auth-service reads of Envoy's CheckRequest about the client's certificate. */
class CheckInputFromRequestTest {
  private static CheckRequest request(AttributeContext.Peer source) {
    return CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
        .setSource(source)
        .setRequest(AttributeContext.Request.newBuilder().setHttp(AttributeContext.HttpRequest.newBuilder()
            .setPath("/orders").putHeaders("x-forwarded-client-cert", "URI=spiffe://forged"))))
        .build();
  }

  @Test
  void thePrincipalIsEnvoysVerifiedOneAndNeverAHeader() {
    assertThat(AuthorizationService.input(request(AttributeContext.Peer.newBuilder()
        .setPrincipal("spiffe://embassy.test/ns/shop/sa/checkout").build())).clientPrincipal())
        .contains("spiffe://embassy.test/ns/shop/sa/checkout");
    assertThat(AuthorizationService.input(request(AttributeContext.Peer.getDefaultInstance())).clientPrincipal())
        .as("no certificate on the connection: the client's own XFCC header counts for nothing").isEmpty();
  }
}
