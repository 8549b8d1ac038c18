package dev.embassy.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;

/**
 * A real OIDC provider for tests: mock-oauth2-server (NAV, Maven Central) on a fixed 127.0.0.1
 * port, serving discovery, a JWKS and its token endpoint, signing with an RSA key whose kid the
 * test chooses. {@link #rotate(String)} restarts it on the same port with a new key, as an IdP
 * rotating its signing key does.
 */
public final class OidcProvider implements AutoCloseable {
  public static final String ISSUER_ID = "embassy";

  private final int port;
  private MockOAuth2Server server;
  private String kid;

  private OidcProvider(int port) {
    this.port = port;
  }

  public static OidcProvider start(int port, String kid) {
    OidcProvider provider = new OidcProvider(port);
    provider.rotate(kid);
    return provider;
  }

  /** Stops the provider and starts it again with a fresh signing key named {@code newKid}. */
  public void rotate(String newKid) {
    if (server != null) {
      server.shutdown();
    }
    try {
      JWK key = new RSAKeyGenerator(2048).keyID(newKid).generate();
      // mock-oauth2-server names its key after the issuer id; a rotation test needs the kid to
      // change, so the provider's one signing key is ours, kid included.
      KeyProvider keys = new KeyProvider(List.of(key)) {
        @Override
        public JWK signingKey(String issuerId) {
          return key;
        }
      };
      server = new MockOAuth2Server(new OAuth2Config(false, null, null, false, new OAuth2TokenProvider(keys)));
      server.start(InetAddress.getLoopbackAddress(), port);
      kid = newKid;
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops serving (an IdP outage); {@link #rotate} brings it back. */
  public void stop() {
    server.shutdown();
  }

  public String kid() {
    return kid;
  }

  public String issuer() {
    return server.issuerUrl(ISSUER_ID).toString();
  }

  public String discoveryUrl() {
    return server.wellKnownUrl(ISSUER_ID).toString();
  }

  public String jwksUrl() {
    return server.jwksUrl(ISSUER_ID).toString();
  }

  public String tokenEndpoint() {
    return server.tokenEndpointUrl(ISSUER_ID).toString();
  }

  /** A signed access token for {@code subject} and {@code audience}, valid {@code seconds}. */
  public String token(String subject, String audience, Map<String, Object> claims, long seconds) {
    return server.issueToken(ISSUER_ID, subject, audience, claims, seconds).serialize();
  }

  @Override
  public void close() {
    server.shutdown();
  }
}
