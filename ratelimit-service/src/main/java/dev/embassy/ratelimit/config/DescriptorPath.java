package dev.embassy.ratelimit.config;

import java.util.List;

/**
 * The canonical text of a request descriptor's entries, {@code key=value|key=value}, used as the
 * counter's identity across nodes (like envoyproxy/ratelimit's cache key, which is also built
 * from the request's values). Backslash escapes {@code \}, {@code |} and {@code =} so that two
 * different descriptors never share a counter.
 */
public final class DescriptorPath {
  private DescriptorPath() {}

  public static String of(List<DescriptorEntry> entries) {
    StringBuilder out = new StringBuilder(16 * entries.size());
    for (int i = 0; i < entries.size(); i++) {
      if (i > 0) {
        out.append('|');
      }
      escape(entries.get(i).key(), out);
      out.append('=');
      escape(entries.get(i).value(), out);
    }
    return out.toString();
  }

  private static void escape(String text, StringBuilder out) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' || c == '|' || c == '=') {
        out.append('\\');
      }
      out.append(c);
    }
  }
}
