package dev.embassy.auth.policy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How claim values are read and written as text, in one place, so rules, forwarded headers and
 * dynamic metadata agree: strings as they are, numbers in plain decimal, booleans as true/false,
 * arrays of those joined by one space; objects and null have no text form.
 */
public final class ClaimValues {
  private ClaimValues() {}

  /** The claim called {@code name}; a dotted name reaches into objects when no top-level claim has it. */
  public static Optional<Object> lookup(Map<String, Object> claims, String name) {
    if (claims.containsKey(name)) {
      return Optional.ofNullable(claims.get(name));
    }
    if (name.indexOf('.') < 0) {
      return Optional.empty();
    }
    Object current = claims;
    for (String part : name.split("\\.", -1)) {
      if (!(current instanceof Map<?, ?> map) || !map.containsKey(part)) {
        return Optional.empty();
      }
      current = map.get(part);
    }
    return Optional.ofNullable(current);
  }

  /** The text form of a value, if it has one. */
  public static Optional<String> text(Object value) {
    if (value instanceof List<?> list) {
      List<String> parts = new ArrayList<>(list.size());
      for (Object item : list) {
        Optional<String> scalar = scalar(item);
        if (scalar.isEmpty()) {
          return Optional.empty();
        }
        parts.add(scalar.get());
      }
      return Optional.of(String.join(" ", parts));
    }
    return scalar(value);
  }

  /** The values of a claim as a set: an array's items, or a space-separated string's words. */
  public static Set<String> words(Object value) {
    Set<String> words = new LinkedHashSet<>();
    if (value instanceof List<?> list) {
      list.forEach(item -> scalar(item).ifPresent(words::add));
    } else if (value instanceof String s) {
      for (String word : s.split(" ")) {
        if (!word.isEmpty()) {
          words.add(word);
        }
      }
    } else {
      scalar(value).ifPresent(words::add);
    }
    return words;
  }

  /** Granted scopes: RFC 8693 §4.2 "scope" (space-separated), else the "scp" array some IdPs use. */
  public static Set<String> scopes(Map<String, Object> claims) {
    Object scope = claims.get("scope");
    if (scope != null) {
      return words(scope);
    }
    Object scp = claims.get("scp");
    return scp == null ? Set.of() : words(scp);
  }

  private static Optional<String> scalar(Object value) {
    return switch (value) {
      case String s -> Optional.of(s);
      case Boolean b -> Optional.of(b.toString());
      case Integer i -> Optional.of(i.toString());
      case Long l -> Optional.of(l.toString());
      case BigInteger b -> Optional.of(b.toString());
      case BigDecimal d -> Optional.of(d.stripTrailingZeros().toPlainString());
      case Double d when Double.isFinite(d) -> Optional.of(
          d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : BigDecimal.valueOf(d).toPlainString());
      case Number n -> Optional.of(n.toString());
      case null, default -> Optional.empty();
    };
  }
}
