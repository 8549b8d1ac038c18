package dev.embassy.controlplane.translate;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.embassy.config.model.Gateway;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A gateway's access log: Envoy's file logger, one JSON object (or text line) per request. The
 * default JSON fields are what an operator needs to follow one request across Envoy, auth-service
 * and the backend: the request id, the client address after trusted hops, the route, and where
 * the time went.
 */
final class AccessLogTranslator {
  static final Map<String, String> DEFAULT_FIELDS = defaultFields();

  private AccessLogTranslator() {}

  static AccessLog accessLog(Gateway.AccessLog log) {
    SubstitutionFormatString.Builder format = SubstitutionFormatString.newBuilder();
    if (log.format() == Gateway.AccessLogFormat.Json) {
      Struct.Builder json = Struct.newBuilder();
      (log.fields().isEmpty() ? DEFAULT_FIELDS : log.fields()).forEach((key, value) -> json.putFields(key, Value.newBuilder().setStringValue(value).build()));
      format.setJsonFormat(json);
    } else {
      log.text().ifPresent(text -> format.setTextFormatSource(DataSource.newBuilder().setInlineString(text.endsWith("\n") ? text : text + "\n")));
    }
    FileAccessLog.Builder file = FileAccessLog.newBuilder().setPath(log.path());
    if (log.format() == Gateway.AccessLogFormat.Json || log.text().isPresent()) {
      file.setLogFormat(format);
    }
    return AccessLog.newBuilder().setName("envoy.access_loggers.file").setTypedConfig(Any.pack(file.build())).build();
  }

  private static Map<String, String> defaultFields() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("start_time", "%START_TIME%");
    fields.put("request_id", "%REQ(X-REQUEST-ID)%");
    fields.put("client", "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%");
    fields.put("method", "%REQ(:METHOD)%");
    fields.put("authority", "%REQ(:AUTHORITY)%");
    fields.put("path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%");
    fields.put("protocol", "%PROTOCOL%");
    fields.put("status", "%RESPONSE_CODE%");
    fields.put("flags", "%RESPONSE_FLAGS%");
    fields.put("details", "%RESPONSE_CODE_DETAILS%");
    fields.put("route", "%ROUTE_NAME%");
    fields.put("upstream", "%UPSTREAM_HOST%");
    fields.put("cluster", "%UPSTREAM_CLUSTER%");
    fields.put("bytes_in", "%BYTES_RECEIVED%");
    fields.put("bytes_out", "%BYTES_SENT%");
    fields.put("duration_ms", "%DURATION%");
    fields.put("upstream_ms", "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%");
    fields.put("user_agent", "%REQ(USER-AGENT)%");
    return java.util.Collections.unmodifiableMap(fields);
  }
}
