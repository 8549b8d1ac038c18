package dev.embassy.auth.policy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where a policy reads the bearer token from. Envoy hands ext_authz the request headers with
 * lowercase names and the raw :path including the query.
 */
public sealed interface TokenSource {
  Optional<String> extract(Map<String, String> headers, String path);

  /** What takes this source's token out of the request, so that the backend never sees it. */
  Removal removal(Map<String, String> headers);

  /**
   * @param headers headers to remove
   * @param setHeaders headers to overwrite (a Cookie header without the token's cookie)
   * @param queryParameters query parameters to remove
   */
  record Removal(List<String> headers, Map<String, String> setHeaders, List<String> queryParameters) {
    public Removal {
      headers = List.copyOf(headers);
      setHeaders = Map.copyOf(setHeaders);
      queryParameters = List.copyOf(queryParameters);
    }

    static Removal header(String name) {
      return new Removal(List.of(name), Map.of(), List.of());
    }
  }

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

    @Override
    public Removal removal(Map<String, String> headers) {
      return Removal.header("authorization");
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

    @Override
    public Removal removal(Map<String, String> headers) {
      return Removal.header(name);
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

    /** The other cookies stay: the backend may need its own session cookie next to the token. */
    @Override
    public Removal removal(Map<String, String> headers) {
      String cookies = headers.get("cookie");
      if (cookies == null) {
        return new Removal(List.of(), Map.of(), List.of());
      }
      List<String> kept = new ArrayList<>();
      for (String pair : cookies.split(";")) {
        int eq = pair.indexOf('=');
        if (!(eq > 0 && pair.substring(0, eq).strip().equals(name)) && !pair.isBlank()) {
          kept.add(pair.strip());
        }
      }
      return kept.isEmpty()
          ? Removal.header("cookie")
          : new Removal(List.of(), Map.of("cookie", String.join("; ", kept)), List.of());
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

    @Override
    public Removal removal(Map<String, String> headers) {
      return new Removal(List.of(), Map.of(), List.of(name));
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
