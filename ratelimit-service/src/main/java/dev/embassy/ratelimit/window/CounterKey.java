package dev.embassy.ratelimit.window;

/**
 * One counter: a rate-limit domain, the canonical descriptor path the limit matched (the request's
 * entries, see {@code DescriptorPath}) and the window length. The window is part of the identity
 * so that changing a limit's window starts a fresh counter instead of misreading an old one.
 */
public record CounterKey(String domain, String path, long windowMillis) {
  public CounterKey {
    if (windowMillis <= 0) {
      throw new IllegalArgumentException("window must be positive: " + windowMillis);
    }
  }

  /**
   * A well-mixed 64-bit hash of the key, the same on every node and JVM (unlike
   * {@link String#hashCode()} mixing alone, which clusters similar keys): rendezvous ownership
   * depends on every node computing the same value.
   */
  public long hash64() {
    long h = 0x9E3779B97F4A7C15L ^ windowMillis;
    h = mixString(h, domain);
    h = mixString(h ^ 0x5bd1e995L, path);
    return fmix64(h);
  }

  private static long mixString(long h, String s) {
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001B3L;
    }
    return h ^ s.length();
  }

  /** MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
  public static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  @Override
  public String toString() {
    return domain + "|" + path + "|" + windowMillis + "ms";
  }
}
