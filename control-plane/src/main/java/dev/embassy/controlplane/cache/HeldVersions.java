package dev.embassy.controlplane.cache;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/** Name → version of a held view, read through instead of copied. */
final class HeldVersions extends AbstractMap<String, String> {
  private final SortedMap<String, XdsResource> held;

  HeldVersions(SortedMap<String, XdsResource> held) {
    this.held = held;
  }

  @Override
  public String get(Object name) {
    XdsResource resource = held.get(name);
    return resource == null ? null : resource.version();
  }

  @Override
  public boolean containsKey(Object name) {
    return held.containsKey(name);
  }

  @Override
  public int size() {
    return held.size();
  }

  @Override
  public Set<String> keySet() {
    return held.keySet();
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, String>> iterator() {
        Iterator<XdsResource> resources = held.values().iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return resources.hasNext();
          }

          @Override
          public Entry<String, String> next() {
            XdsResource resource = resources.next();
            return Map.entry(resource.name(), resource.version());
          }
        };
      }

      @Override
      public int size() {
        return held.size();
      }
    };
  }
}
