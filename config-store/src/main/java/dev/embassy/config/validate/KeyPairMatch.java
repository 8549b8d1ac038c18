package dev.embassy.config.validate;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * Whether a private key is the key of a certificate: a signature made with it must verify with
 * the certificate's public key. Key stores and TLS libraries take any key beside any certificate;
 * a mismatched pair only fails later, at every handshake. Used for Certificate resources and for
 * the admin API's and the ADS server's own TLS files.
 */
public final class KeyPairMatch {
  private static final byte[] PROBE = "embassy key-pair check".getBytes(StandardCharsets.US_ASCII);

  private KeyPairMatch() {}

  /** False for a key of another pair, of another type than the public key, or of a type not served (RSA, ECDSA, Ed25519). */
  public static boolean matches(PublicKey certificateKey, PrivateKey privateKey) {
    String algorithm = switch (privateKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return false;
    }
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificateKey);
      verifier.update(PROBE);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException otherKeyType) {
      // An EC key against an RSA certificate ends here: the same answer as a mismatched key.
      return false;
    }
  }
}
