package dev.embassy.config.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an omitted field means. JSON and YAML readers hand records null for an omitted field; the
 * model holds no nulls, so each record's constructor maps them here.
 */
final class Absent {
  private Absent() {}

  static <T> List<T> list(List<T> value) {
    return value == null ? List.of() : List.copyOf(value);
  }

  static Map<String, String> map(Map<String, String> value) {
    return value == null ? Map.of() : Map.copyOf(value);
  }

  static <T> Optional<T> optional(Optional<T> value) {
    return value == null ? Optional.empty() : value;
  }

  static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }
}
