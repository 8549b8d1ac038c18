package dev.embassy.controlplane.ir;

import java.util.regex.Pattern;

/** The one rule for resource names: they become Envoy resource names and stat prefixes. */
final class Names {
  // Envoy uses names in stat names, where dots separate segments; keep them out of our names.
  private static final Pattern VALID = Pattern.compile("[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?");

  private Names() {}

  static void require(String what, String name) {
    if (name == null || !VALID.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what + " '" + name + "' must be 1-63 lowercase letters, digits, '-' or '_', starting and ending alphanumeric");
    }
  }
}
