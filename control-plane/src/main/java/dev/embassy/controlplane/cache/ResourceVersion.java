package dev.embassy.controlplane.cache;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A version string derived from resource content alone. Two replicas that translate the same
 * revision compute the same versions, so an Envoy failing over between them sees no change and
 * receives no churn.
 */
final class ResourceVersion {
  private ResourceVersion() {}

  static String of(Message resource) {
    return of(java.util.List.of(resource));
  }

  static String of(Iterable<? extends Message> resources) {
    MessageDigest digest = sha256();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (Message resource : resources) {
      bytes.reset();
      try {
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        // Default serialization may order map entries differently between runs; deterministic
        // serialization is what makes the hash a function of content.
        out.useDeterministicSerialization();
        resource.writeTo(out);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      byte[] serialized = bytes.toByteArray();
      // Length-prefix each resource so ["ab","c"] and ["a","bc"] cannot collide.
      digest.update(intBytes(serialized.length));
      digest.update(serialized);
    }
    return HexFormat.of().formatHex(digest.digest(), 0, 8);
  }

  private static byte[] intBytes(int value) {
    return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides SHA-256", e);
    }
  }
}
