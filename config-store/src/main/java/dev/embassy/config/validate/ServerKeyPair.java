package dev.embassy.config.validate;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

/**
 * What Envoy (BoringSSL) checks when it loads a server certificate and its key: the chain's first
 * certificate has a key type Envoy serves, and the private key is that certificate's key. Envoy
 * fails the whole listener otherwise ("Failed to load private key from &lt;inline&gt;, Cause:
 * ...KEY_VALUES_MISMATCH"), so every HTTPS listener using the certificate would stop.
 */
final class ServerKeyPair {
  /** DER AlgorithmIdentifier of a subject public key → the JCA name of its key type. */
  private static final Map<String, String> SERVED = Map.of(
      // id-ecPublicKey with the curves Envoy accepts: P-256, P-384, P-521 (secp256k1 and the rest fail).
      "301306072a8648ce3d020106082a8648ce3d030107", "EC",
      "301006072a8648ce3d020106052b81040022", "EC",
      "301006072a8648ce3d020106052b81040023", "EC",
      "300506032b6570", "Ed25519");
  private static final String RSA_ALGORITHM = "300d06092a864886f70d0101010500";
  private static final int MIN_RSA_BITS = 2048;

  private ServerKeyPair() {}

  /**
   * @param keyType the PEM label: PRIVATE KEY (PKCS#8), RSA PRIVATE KEY (PKCS#1) or EC PRIVATE KEY (SEC 1)
   * @param v the certificate's view; errors go to certificateChain or privateKey
   */
  static void check(X509Certificate leaf, String keyType, byte[] key, Violations v) {
    byte[] spki = leaf.getPublicKey().getEncoded();
    byte[] algorithm = firstElement(content(spki, 0));
    String algorithmHex = HexFormat.of().formatHex(algorithm);
    String jcaType;
    if (algorithmHex.equals(RSA_ALGORITHM)) {
      if (!(leaf.getPublicKey() instanceof RSAPublicKey rsa) || rsa.getModulus().bitLength() < MIN_RSA_BITS) {
        v.add("certificateChain", "the first certificate's RSA key is shorter than 2048 bits, which Envoy refuses");
        return;
      }
      jcaType = "RSA";
    } else {
      jcaType = SERVED.get(algorithmHex);
      if (jcaType == null) {
        v.add("certificateChain", "the first certificate's key must be RSA (2048 bits or more), ECDSA P-256, P-384 or P-521, or Ed25519");
        return;
      }
    }
    byte[] pkcs8 = switch (keyType) {
      case "RSA PRIVATE KEY" -> pkcs8(HexFormat.of().parseHex(RSA_ALGORITHM), key);
      // SEC 1 keys do not always name their curve; the certificate's identifier does.
      case "EC PRIVATE KEY" -> pkcs8(algorithm, key);
      default -> key;
    };
    PrivateKey privateKey;
    try {
      privateKey = KeyFactory.getInstance(jcaType).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException | RuntimeException e) {
      // An unreadable key and a key of another type (RSA key, EC certificate) look alike here.
      v.add("privateKey", "is not an " + jcaType + " private key matching the first certificate in certificateChain");
      return;
    }
    if (!KeyPairMatch.matches(leaf.getPublicKey(), privateKey)) {
      v.add("privateKey", "is not the key of the first certificate in certificateChain");
    }
  }

  /** PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER 0, algorithm, OCTET STRING key }. */
  private static byte[] pkcs8(byte[] algorithm, byte[] key) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(algorithm);
    body.writeBytes(tlv(0x04, key));
    return tlv(0x30, body.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  /** The content of the DER element starting at {@code offset}. */
  private static byte[] content(byte[] der, int offset) {
    int[] header = header(der, offset);
    return Arrays.copyOfRange(der, offset + header[0], offset + header[0] + header[1]);
  }

  /** The whole first element (tag, length and content) of {@code der}. */
  private static byte[] firstElement(byte[] der) {
    int[] header = header(der, 0);
    return Arrays.copyOfRange(der, 0, header[0] + header[1]);
  }

  /** {header length, content length} of the DER element at {@code offset}. */
  private static int[] header(byte[] der, int offset) {
    int first = der[offset + 1] & 0xff;
    if (first < 0x80) {
      return new int[] {2, first};
    }
    int bytes = first & 0x7f;
    int length = 0;
    for (int i = 0; i < bytes; i++) {
      length = (length << 8) | (der[offset + 2 + i] & 0xff);
    }
    return new int[] {2 + bytes, length};
  }
}
