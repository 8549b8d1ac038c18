package dev.embassy.controlplane.cache;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HexFormat;

/**
 * The version of a set of resources, as state-of-the-world responses and delta's system version
 * carry it: a function of the (name, version) pairs alone, independent of order, so every replica
 * computes the same string for the same content and an Envoy failing over sees no change.
 *
 * <p>Order independence lets a response over a subset (the names one proxy asked for) be versioned
 * without sorting; each pair is mixed through a 64-bit FNV-1a hash and the pair hashes are summed.
 */
final class TypeVersion {
  private TypeVersion() {}

  static String of(Collection<XdsResource> resources) {
    long sum = 0;
    long xor = 0;
    for (XdsResource resource : resources) {
      long h = pairHash(resource.name(), resource.version());
      sum += h;
      // A second, differently combined accumulator makes accidental equality of two different
      // sets need two independent coincidences.
      xor ^= Long.rotateLeft(h, 17) * 0x9E3779B97F4A7C15L;
    }
    byte[] bytes = new byte[16];
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (sum >>> (56 - 8 * i));
      bytes[8 + i] = (byte) (xor >>> (56 - 8 * i));
    }
    return resources.size() + "-" + HexFormat.of().formatHex(bytes);
  }

  private static long pairHash(String name, String version) {
    long h = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    h = (h ^ 0xff) * 0x100000001b3L;  // separator: ("ab","c") and ("a","bc") differ
    for (byte b : version.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    // Final avalanche (splitmix64), so that summing does not let nearby hashes cancel out.
    h ^= h >>> 30;
    h *= 0xbf58476d1ce4e5b9L;
    h ^= h >>> 27;
    h *= 0x94d049bb133111ebL;
    h ^= h >>> 31;
    return h;
  }
}
