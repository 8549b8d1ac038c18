package dev.embassy.controlplane.cache;

import java.util.Collection;
import java.util.Set;
import java.util.SortedMap;

/**
 * The resource names one request asks for, with an order-independent digest computed once. With a
 * thousand proxies each asking for 2,000 endpoint names, checking "are these exactly the served
 * names?" element by element on every change cost more than sending the change; comparing size and
 * digest costs nothing.
 */
final class NameSet {
  static final NameSet EMPTY = new NameSet(Set.of());

  private final Set<String> names;
  private final long fingerprint;

  NameSet(Set<String> names) {
    this.names = names;
    this.fingerprint = fingerprint(names);
  }

  /** The names of a served map, reusing its digest. */
  static NameSet of(SortedMap<String, XdsResource> resources) {
    return resources instanceof IndexedSortedMap indexed ? new NameSet(indexed.keySet(), indexed.namesFingerprint()) : new NameSet(resources.keySet());
  }

  private NameSet(Set<String> names, long fingerprint) {
    this.names = names;
    this.fingerprint = fingerprint;
  }

  Set<String> names() {
    return names;
  }

  /** Whether these are exactly the keys of {@code served}. */
  boolean sameAs(SortedMap<String, XdsResource> served) {
    if (names.size() != served.size()) {
      return false;
    }
    long servedFingerprint = served instanceof IndexedSortedMap indexed ? indexed.namesFingerprint() : fingerprint(served.keySet());
    return servedFingerprint == fingerprint;
  }

  /**
   * Sum of well-mixed 64-bit name hashes: equal for equal sets whatever their order. Two different
   * sets of operator-chosen names agreeing on size and this digest is a 2^-64 accident.
   */
  static long fingerprint(Collection<String> names) {
    long sum = 0;
    for (String name : names) {
      long h = name.hashCode() * 0x9E3779B97F4A7C15L + name.length();
      h ^= h >>> 32;
      h *= 0xd6e8feb86659fd93L;
      h ^= h >>> 32;
      sum += h;
    }
    return sum;
  }
}
