package dev.embassy.config.validate;

import dev.embassy.config.model.DurationText;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Field checks shared by the validators of every kind. Each reports into a {@link Violations}. */
final class Checks {
  /** DNS-label names: they end up in Envoy resource names, stat prefixes and URLs. */
  private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final java.util.regex.Pattern LABEL_KEY =
      java.util.regex.Pattern.compile("[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?");
  private static final java.util.regex.Pattern LABEL_VALUE = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{0,63}");
  private static final java.util.regex.Pattern HOSTNAME =
      java.util.regex.Pattern.compile("(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  /** RFC 9110 token characters: what a header or method name may contain. */
  private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}");
  private static final int MAX_LABELS = 32;

  private Checks() {}

  static boolean required(Violations v, String field, Object value) {
    if (value == null || (value instanceof String s && s.isEmpty()) || (value instanceof Collection<?> c && c.isEmpty())) {
      v.add(field, "is required");
      return false;
    }
    return true;
  }

  static void name(Violations v, String field, String value) {
    if (required(v, field, value) && !NAME.matcher(value).matches()) {
      v.add(field, "must be 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit");
    }
  }

  static void labels(Violations v, Map<String, String> labels) {
    if (labels.size() > MAX_LABELS) {
      v.add("labels", "at most " + MAX_LABELS + " labels");
    }
    labels.forEach((key, value) -> {
      if (!LABEL_KEY.matcher(key).matches()) {
        v.at("labels").add(key, "label key must be 1-63 lowercase letters, digits, '.', '_', '/' or '-'");
      } else if (value == null || !LABEL_VALUE.matcher(value).matches()) {
        v.at("labels").add(key, "label value must be at most 63 letters, digits, '.', '_' or '-'");
      }
    });
  }

  static void hostname(Violations v, String field, String value) {
    if (required(v, field, value) && (value.length() > 253 || !HOSTNAME.matcher(value).matches())) {
      v.add(field, "must be a lowercase DNS name, optionally starting with '*.'");
    }
  }

  /**
   * One host, no wildcard: where Envoy sends or rewrites to (redirect, rewrite, SNI). Gateway API
   * calls it a PreciseHostname; Envoy would take "*.example.com" literally.
   */
  static void preciseHostname(Violations v, String field, String value) {
    hostname(v, field, value);
    if (value != null && value.startsWith("*")) {
      v.add(field, "must be one host name, without a wildcard");
    }
  }

  /**
   * A path Envoy puts into a request or a Location header. Envoy's PGV pattern for these fields is
   * {@code ^[^\x00\n\r]*$} (path_redirect, prefix_rewrite, regex_rewrite.substitution) or
   * rejects every control character (health-check path); refusing all control characters covers both.
   */
  static void path(Violations v, String field, String value) {
    if (!required(v, field, value)) {
      return;
    }
    if (!value.startsWith("/")) {
      v.add(field, "must start with '/'");
    } else if (value.length() > 1024 || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      v.add(field, "must be a path of at most 1024 characters without control characters");
    }
  }

  static void hostnames(Violations v, List<String> hostnames, int max) {
    if (hostnames.size() > max) {
      v.add("hostnames", "at most " + max + " hostnames");
    }
    unique(v, "hostnames", hostnames, h -> h, "duplicate hostname");
    for (int i = 0; i < hostnames.size(); i++) {
      hostname(v.at("hostnames"), Integer.toString(i), hostnames.get(i));
    }
  }

  static void port(Violations v, String field, Integer value) {
    if (required(v, field, value) && (value < 1 || value > 65535)) {
      v.add(field, "must be between 1 and 65535");
    }
  }

  static void range(Violations v, String field, long value, long min, long max) {
    if (value < min || value > max) {
      v.add(field, "must be between " + min + " and " + max);
    }
  }

  /** A duration in (0, max]; returns it, or null after reporting. */
  static Duration duration(Violations v, String field, String value, Duration max) {
    if (!required(v, field, value)) {
      return null;
    }
    Duration parsed = DurationText.parse(value).orElse(null);
    if (parsed == null) {
      v.add(field, "must be a duration such as 250ms, 10s, 1m or 1h30m");
      return null;
    }
    if (parsed.isZero() || parsed.compareTo(max) > 0) {
      v.add(field, "must be greater than 0 and at most " + max.toString().substring(2).toLowerCase(Locale.ROOT));
      return null;
    }
    return parsed;
  }

  /**
   * The regex must be one Envoy's RE2 compiles within Envoy's program-size limit; re2j's syntax
   * check alone let NACKed regexes through (issue 13), so {@link Re2Rules} decides.
   */
  static void regex(Violations v, String field, String value) {
    if (!required(v, field, value)) {
      return;
    }
    if (value.length() > 1024) {
      v.add(field, "regex longer than 1024 characters");
      return;
    }
    Re2Rules.refusal(value).ifPresent(reason -> v.add(field, reason));
  }

  /**
   * A header a filter sets, adds or removes. Envoy rejects modifications of pseudo-headers and of
   * Host (kgateway #14264 shipped such config and had it NACKed), so the API rejects them first.
   */
  static void modifiableHeaderName(Violations v, String field, String value) {
    headerName(v, field, value);
    if (value != null && (value.startsWith(":") || value.equalsIgnoreCase("host"))) {
      v.add(field, "pseudo-headers and Host cannot be modified; use a URLRewrite hostname instead");
    }
  }

  static void headerName(Violations v, String field, String value) {
    if (required(v, field, value) && !TOKEN.matcher(value).matches()) {
      v.add(field, "must be an HTTP header name (RFC 9110 token characters)");
    }
  }

  static void headerValue(Violations v, String field, String value) {
    if (value == null) {
      v.add(field, "is required");
    } else if (value.length() > 4096 || value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
      v.add(field, "must be at most 4096 characters without CR, LF or NUL");
    }
  }

  /**
   * A value Envoy adds to a request or response. Envoy reads it as a substitution format string
   * ("%REQ(x)%"), so a lone '%' fails the whole RouteConfiguration ("Incorrect configuration: 100%.
   * Couldn't find valid command at position 3") and "%FOO%" names a command; Gateway API values
   * are literal, so a '%' cannot be passed through.
   */
  static void addedHeaderValue(Violations v, String field, String value) {
    headerValue(v, field, value);
    if (value != null && value.indexOf('%') >= 0) {
      v.add(field, "cannot contain '%': Envoy reads header values it adds as format strings");
    }
  }

  static void token(Violations v, String field, String value) {
    if (required(v, field, value) && !TOKEN.matcher(value).matches()) {
      v.add(field, "must be an HTTP token");
    }
  }

  /** An https URL, or http to a loopback host (local identity providers in development). */
  static void fetchUrl(Violations v, String field, String value) {
    if (!required(v, field, value)) {
      return;
    }
    try {
      URI uri = new URI(value);
      String host = uri.getHost();
      boolean loopback = host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
      if (host == null || uri.getRawUserInfo() != null
          || !("https".equals(uri.getScheme()) || ("http".equals(uri.getScheme()) && loopback))) {
        v.add(field, "must be an https URL without user info (http only to localhost)");
      }
    } catch (URISyntaxException e) {
      v.add(field, "is not a valid URL: " + e.getReason());
    }
  }

  static <T> void unique(Violations v, String field, List<T> items, Function<? super T, ?> key, String message) {
    Set<Object> seen = new HashSet<>();
    Violations list = field.isEmpty() ? v : v.at(field);
    for (int i = 0; i < items.size(); i++) {
      Object k = items.get(i) == null ? null : key.apply(items.get(i));
      if (k != null && !seen.add(k)) {
        list.add(Integer.toString(i), message + " '" + k + "'");
      }
    }
  }

  static void maxSize(Violations v, String field, Collection<?> items, int max) {
    if (items.size() > max) {
      v.add(field, "at most " + max + " entries");
    }
  }
}
