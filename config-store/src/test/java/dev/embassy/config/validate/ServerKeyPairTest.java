package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.config.model.Certificate;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A server certificate is only accepted when Envoy would load it (pairs and Envoy's verdicts: resources/keypairs). */
class ServerKeyPairTest {
  private static String pem(String file) throws Exception {
    try (InputStream in = ServerKeyPairTest.class.getResourceAsStream("/keypairs/" + file)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  private static List<FieldError> validate(String chain, String key) throws Exception {
    return ResourceValidator.validate(new Certificate("site", Map.of(), pem(chain), Optional.of(pem(key))));
  }

  @ParameterizedTest(name = "{0} + {1}")
  @CsvSource(textBlock = """
      rsa.crt,       rsa-pkcs8.key
      rsa.crt,       rsa-pkcs1.key
      p256.crt,      p256-sec1.key
      p256.crt,      p256-pkcs8.key
      p384.crt,      p384-sec1.key
      ed25519.crt,   ed25519.key
      """)
  void pairsEnvoyLoadsAreAccepted(String chain, String key) throws Exception {
    assertThat(validate(chain, key)).isEmpty();
  }

  @ParameterizedTest(name = "{0} + {1}")
  @CsvSource(textBlock = """
      rsa.crt,       other-rsa.key,  /privateKey,       is not the key of the first certificate
      p256.crt,      rsa-pkcs8.key,  /privateKey,       is not an EC private key matching
      rsa.crt,       p256-sec1.key,  /privateKey,       is not an RSA private key matching
      p256.crt,      p384-sec1.key,  /privateKey,       is not
      rsa1024.crt,   rsa1024.key,    /certificateChain, shorter than 2048 bits
      secp256k1.crt, secp256k1.key,  /certificateChain, ECDSA P-256
      """)
  void pairsEnvoyRefusesAreRefusedAtTheirField(String chain, String key, String pointer, String detail) throws Exception {
    assertThat(validate(chain, key)).singleElement().satisfies(e -> {
      assertThat(e.pointer()).isEqualTo(pointer);
      assertThat(e.detail()).contains(detail);
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(textBlock = """
      rsa.crt
      rsa1024.crt
      """)
  void aCaCertificateWithoutAKeyIsNotHeldToServerRules(String chain) throws Exception {
    assertThat(ResourceValidator.validate(new Certificate("ca", Map.of(), pem(chain), Optional.empty()))).isEmpty();
  }
}
