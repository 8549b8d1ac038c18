package dev.embassy.auth.jwks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embassy.auth.TestKeys;
import dev.embassy.auth.jwt.JwsAlgorithm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeySetTest {
  @Test
  void readsSigningKeysAndSkipsTheRest() throws Exception {
    String rsa = TestKeys.jwks(List.of(TestKeys.rsa("r1"), TestKeys.ec("e1", "ES256", "secp256r1"), TestKeys.ed25519("d1")));
    String json = rsa.replace("{\"keys\":[", "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h1\",\"k\":\"c2VjcmV0\"},"
        + "{\"kty\":\"RSA\",\"use\":\"enc\",\"kid\":\"x\",\"n\":\"AQAB\",\"e\":\"AQAB\"},{\"kty\":\"EC\",\"kid\":\"broken\"},");
    KeySet keys = KeySet.parse(json.getBytes(StandardCharsets.UTF_8));
    assertThat(keys.byKid().keySet()).containsExactlyInAnyOrder("r1", "e1", "d1");
    assertThat(JwsAlgorithm.ES256.fits(keys.byKid("e1").orElseThrow())).isTrue();
    assertThat(JwsAlgorithm.ES384.fits(keys.byKid("e1").orElseThrow())).as("curve binds the algorithm").isFalse();
    assertThat(JwsAlgorithm.RS256.fits(keys.byKid("e1").orElseThrow())).isFalse();
    assertThat(JwsAlgorithm.EdDSA.fits(keys.byKid("d1").orElseThrow())).isTrue();
    assertThat(JwsAlgorithm.PS256.fits(keys.byKid("r1").orElseThrow())).isTrue();
  }

  @Test
  void aJwkPinnedToOneAlgorithmFitsOnlyThatOne() throws Exception {
    String json = TestKeys.jwks(List.of(TestKeys.rsa("r1"))).replace("\"kid\"", "\"alg\":\"RS256\",\"kid\"");
    KeySet keys = KeySet.parse(json.getBytes(StandardCharsets.UTF_8));
    assertThat(JwsAlgorithm.RS256.fits(keys.byKid("r1").orElseThrow())).isTrue();
    assertThat(JwsAlgorithm.PS256.fits(keys.byKid("r1").orElseThrow())).isFalse();
  }

  @Test
  void notAJwksIsAnError() {
    assertThatThrownBy(() -> KeySet.parse("[]".getBytes(StandardCharsets.UTF_8))).isInstanceOf(JwksFetchException.class);
    assertThatThrownBy(() -> KeySet.parse("{\"keys\":{}}".getBytes(StandardCharsets.UTF_8))).isInstanceOf(JwksFetchException.class);
  }
}
