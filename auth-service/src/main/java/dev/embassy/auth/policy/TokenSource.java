package dev.embassy.auth.policy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where a policy reads the bearer token from. Envoy hands ext_authz the request headers with
 * lowercase names and the raw :path including the query.
 */
public sealed interface TokenSource {
  Optional<String> extract(Map<String, String> headers, String path);

  /** {@code Authorization: Bearer <token>} (RFC 6750 §2.1; the scheme is case-insensitive, RFC 9110 §11.1). */
  record BearerHeader() implements TokenSource {
    @Override
    public Optional<String> extract(Map<String, String> headers, String path) {
      String value = headers.get("authorization");
      if (value == null || value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return Optional.empty();
      }
      String token = value.substring(7).strip();
      return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
  }

  /** A header holding just the token. */
  record Header(String name) implements TokenSource {
    public Header {
      name = name.toLowerCase(Locale.ROOT);
    }

    @Override
    public Optional<String> extract(Map<String, String> headers, String path) {
      return Optional.ofNullable(headers.get(name)).map(String::strip).filter(t -> !t.isEmpty());
    }
  }

  /** A cookie (RFC 6265 §4.2.1: "name=value" pairs separated by "; "). */
  record Cookie(String name) implements TokenSource {
    @Override
    public Optional<String> extract(Map<String, String> headers, String path) {
      String cookies = headers.get("cookie");
      if (cookies == null) {
        return Optional.empty();
      }
      // Envoy joins several Cookie headers with "; ".
      for (String pair : cookies.split(";")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).strip().equals(name)) {
          String value = pair.substring(eq + 1).strip();
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          return value.isEmpty() ? Optional.empty() : Optional.of(value);
        }
      }
      return Optional.empty();
    }
  }

  /** A query parameter (RFC 6750 §2.3; discouraged there, but some clients can do nothing else). */
  record QueryParam(String name) implements TokenSource {
    @Override
    public Optional<String> extract(Map<String, String> headers, String path) {
      int query = path.indexOf('?');
      if (query < 0) {
        return Optional.empty();
      }
      int fragment = path.indexOf('#', query);
      String q = fragment < 0 ? path.substring(query + 1) : path.substring(query + 1, fragment);
      for (String pair : q.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && decode(pair.substring(0, eq)).equals(name)) {
          String value = decode(pair.substring(eq + 1));
          return value.isEmpty() ? Optional.empty() : Optional.of(value);
        }
      }
      return Optional.empty();
    }

    private static String decode(String text) {
      try {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return "";
      }
    }
  }
}
