package dev.embassy.controlplane.cache;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * An immutable sorted map with hash lookups: iteration in name order (responses and versions must
 * not depend on insertion order), {@code get}/{@code containsKey} in O(1). A cache answering a
 * thousand proxies looks names up millions of times; a TreeMap's string comparisons show.
 */
final class IndexedSortedMap extends AbstractMap<String, XdsResource> implements SortedMap<String, XdsResource> {
  private final SortedMap<String, XdsResource> sorted;
  private final Map<String, XdsResource> index;
  private final long namesFingerprint;

  IndexedSortedMap(SortedMap<String, XdsResource> entries) {
    this.sorted = Collections.unmodifiableSortedMap(new java.util.TreeMap<>(entries));
    this.index = new HashMap<>(entries);
    this.namesFingerprint = NameSet.fingerprint(entries.keySet());
  }

  /** {@link NameSet#fingerprint} of the keys, computed once. */
  long namesFingerprint() {
    return namesFingerprint;
  }

  @Override
  public XdsResource get(Object key) {
    return index.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return index.containsKey(key);
  }

  @Override
  public int size() {
    return index.size();
  }

  @Override
  public Set<Entry<String, XdsResource>> entrySet() {
    return sorted.entrySet();
  }

  @Override
  public Set<String> keySet() {
    return sorted.keySet();
  }

  @Override
  public java.util.Collection<XdsResource> values() {
    return sorted.values();
  }

  @Override
  public Comparator<? super String> comparator() {
    return sorted.comparator();
  }

  @Override
  public SortedMap<String, XdsResource> subMap(String fromKey, String toKey) {
    return sorted.subMap(fromKey, toKey);
  }

  @Override
  public SortedMap<String, XdsResource> headMap(String toKey) {
    return sorted.headMap(toKey);
  }

  @Override
  public SortedMap<String, XdsResource> tailMap(String fromKey) {
    return sorted.tailMap(fromKey);
  }

  @Override
  public String firstKey() {
    return sorted.firstKey();
  }

  @Override
  public String lastKey() {
    return sorted.lastKey();
  }
}
