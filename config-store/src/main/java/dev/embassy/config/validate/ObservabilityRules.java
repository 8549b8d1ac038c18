package dev.embassy.config.validate;

import dev.embassy.config.model.Gateway;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A gateway's access log and stats listener. Envoy parses access-log formats when it loads the
 * listener, and an unknown or malformed command ("%FOO%", a lone '%') NACKs the whole Listener,
 * so formats are checked here against the commands Embassy documents.
 */
final class ObservabilityRules {
  private static final int MAX_FIELDS = 64;
  private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,63}");
  /** A command: %NAME%, %NAME(arg)% or %NAME(arg):max_length%. */
  private static final Pattern COMMAND = Pattern.compile("%([A-Z_]+)(\\(([^()%]*)\\))?(:[0-9]{1,5})?%");
  /** Envoy's command operators that Embassy supports in access-log formats (docs/observability.md). */
  static final Set<String> COMMANDS = Set.of(
      "START_TIME", "REQ", "RESP", "TRAILER", "PROTOCOL", "RESPONSE_CODE", "RESPONSE_FLAGS", "RESPONSE_CODE_DETAILS",
      "BYTES_RECEIVED", "BYTES_SENT", "DURATION", "REQUEST_DURATION", "RESPONSE_DURATION", "UPSTREAM_HOST",
      "UPSTREAM_CLUSTER", "UPSTREAM_LOCAL_ADDRESS", "UPSTREAM_TRANSPORT_FAILURE_REASON", "DOWNSTREAM_REMOTE_ADDRESS",
      "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", "DOWNSTREAM_DIRECT_REMOTE_ADDRESS", "DOWNSTREAM_LOCAL_ADDRESS", "ROUTE_NAME",
      "CONNECTION_ID", "HOSTNAME", "REQUESTED_SERVER_NAME", "DOWNSTREAM_TLS_VERSION", "DOWNSTREAM_PEER_SUBJECT",
      "DYNAMIC_METADATA", "FILTER_STATE", "CONNECTION_TERMINATION_DETAILS", "UPSTREAM_REQUEST_ATTEMPT_COUNT");
  /** Commands whose argument is required (a header, a metadata namespace). */
  private static final Set<String> WITH_ARGUMENT = Set.of("REQ", "RESP", "TRAILER", "DYNAMIC_METADATA", "FILTER_STATE");

  private ObservabilityRules() {}

  static void check(Gateway gateway, Violations v) {
    gateway.accessLog().ifPresent(log -> accessLog(log, v.at("accessLog")));
    gateway.stats().ifPresent(stats -> {
      Violations at = v.at("stats");
      Checks.port(at, "port", stats.port());
      Checks.port(at, "adminPort", stats.adminPort());
      for (Gateway.Listener listener : gateway.listeners()) {
        if (listener != null && stats.port() != null && stats.port().equals(listener.port())) {
          at.add("port", "listener " + listener.name() + " of this gateway uses port " + stats.port());
        }
        if (listener != null && "stats".equals(listener.name())) {
          at.here("the stats listener is named <gateway>-stats, like a listener named stats; rename that listener");
        }
      }
    });
  }

  private static void accessLog(Gateway.AccessLog log, Violations v) {
    String path = log.path();
    if (!path.startsWith("/") || path.length() > 1024 || path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      v.add("path", "must be an absolute file path (or /dev/stdout, /dev/stderr) of at most 1024 characters");
    }
    if (log.format() == Gateway.AccessLogFormat.Json) {
      log.text().ifPresent(t -> v.add("text", "only a Text access log takes text; a Json one takes fields"));
      Checks.maxSize(v, "fields", log.fields().keySet(), MAX_FIELDS);
      for (Map.Entry<String, String> field : log.fields().entrySet()) {
        if (!FIELD_NAME.matcher(field.getKey()).matches()) {
          v.at("fields").add(field.getKey(), "field names are letters, digits, '_', '.' and '-', at most 64, not starting with a digit");
        }
        format(v.at("fields"), field.getKey(), field.getValue());
      }
    } else {
      if (!log.fields().isEmpty()) {
        v.add("fields", "only a Json access log takes fields; a Text one takes text");
      }
      log.text().ifPresent(text -> format(v, "text", text));
    }
  }

  /** A format string: literal text (no control characters) and known commands. */
  static void format(Violations v, String field, String value) {
    if (value == null || value.length() > 4096 || value.chars().anyMatch(c -> c < 0x20 && c != '\n' || c == 0x7f)) {
      v.add(field, "must be at most 4096 characters without control characters");
      return;
    }
    Matcher command = COMMAND.matcher(value);
    int at = 0;
    while (at < value.length()) {
      int percent = value.indexOf('%', at);
      if (percent < 0) {
        return;
      }
      if (!command.find(percent) || command.start() != percent) {
        v.add(field, "has a '%' that starts no command at position " + percent + "; commands look like %START_TIME% or %REQ(X-REQUEST-ID)%");
        return;
      }
      String name = command.group(1);
      if (!COMMANDS.contains(name)) {
        v.add(field, "uses %" + name + "%, which is not a command Embassy supports (see docs/observability.md)");
        return;
      }
      if (WITH_ARGUMENT.contains(name) && (command.group(3) == null || command.group(3).isEmpty())) {
        v.add(field, "%" + name + "% needs an argument, e.g. %" + name + "(X-REQUEST-ID)%");
        return;
      }
      at = command.end();
    }
  }
}
