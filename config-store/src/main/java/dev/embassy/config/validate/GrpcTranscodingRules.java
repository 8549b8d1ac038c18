package dev.embassy.config.validate;

import com.google.api.HttpRule;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.embassy.config.model.ProtoDescriptorSet;
import dev.embassy.config.model.Route;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What Envoy's gRPC-JSON transcoder refuses when it loads a listener: a descriptor set that does
 * not link, a service it does not define, an HTTP rule whose path template does not parse or names
 * a field the request has not, and two methods bound to the same verb and path (the transcoder's
 * path matcher refuses the second). Checked here, so such a config is refused with a pointer
 * instead of being NACKed.
 *
 * <p>Templates are held to the grammar of google/api/http.proto with literals limited to RFC 3986
 * unreserved characters, sub-delimiters other than '*' and '=', '@' and percent-escapes: stricter
 * than the transcoder in corners nobody routes on, never looser.
 */
final class GrpcTranscodingRules {
  private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~%!$&'()+,;@-]+");
  private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private GrpcTranscodingRules() {}

  /** A descriptor set on its own: it links, and every method's HTTP rules are ones Envoy loads. */
  static void check(ProtoDescriptorSet set, Violations v) {
    if (!Checks.required(v, "fileDescriptorSet", set.fileDescriptorSet())) {
      return;
    }
    ProtoSchema schema;
    try {
      schema = ProtoSchema.parse(set.fileDescriptorSet());
    } catch (IllegalArgumentException e) {
      v.add("fileDescriptorSet", e.getMessage());
      return;
    }
    for (String name : schema.serviceNames()) {
      for (MethodDescriptor method : schema.service(name).orElseThrow().getMethods()) {
        List<HttpRule> rules = ProtoSchema.httpRules(method);
        for (int i = 0; i < rules.size(); i++) {
          String problem = ruleProblem(rules.get(i), method);
          if (problem != null) {
            v.add("fileDescriptorSet", method.getFullName() + (i == 0 ? "" : " (additional binding " + i + ")") + ": " + problem);
          }
        }
      }
    }
  }

  /**
   * A route's use of a descriptor set, pointers relative to its {@code grpcJsonTranscoding}: the
   * services exist, and no two of the methods it exposes share a verb and path.
   */
  static void use(Route.GrpcJsonTranscoding transcoding, ProtoSchema schema, Violations v) {
    List<String> services = transcoding.services().isEmpty() ? schema.serviceNames() : transcoding.services();
    Map<String, String> bound = new HashMap<>();
    for (int i = 0; i < services.size(); i++) {
      Optional<ServiceDescriptor> service = schema.service(services.get(i));
      if (service.isEmpty()) {
        v.at("services").add(Integer.toString(i), "descriptor set " + transcoding.protoDescriptorSet() + " defines no service "
            + services.get(i) + " (it defines " + schema.serviceNames() + ")");
        continue;
      }
      for (MethodDescriptor method : service.get().getMethods()) {
        for (HttpRule rule : ProtoSchema.httpRules(method)) {
          bind(bound, verb(rule) + " " + shape(path(rule)), method, v);
        }
        if (transcoding.autoMapping()) {
          bind(bound, "POST /" + service.get().getFullName() + "/" + method.getName(), method, v);
        }
      }
    }
  }

  private static void bind(Map<String, String> bound, String binding, MethodDescriptor method, Violations v) {
    String other = bound.putIfAbsent(binding, method.getFullName());
    if (other != null && !other.equals(method.getFullName())) {
      v.add("services", other + " and " + method.getFullName() + " are both bound to " + binding + "; Envoy's transcoder takes one binding once");
    }
  }

  private static String ruleProblem(HttpRule rule, MethodDescriptor method) {
    if (rule.getPatternCase() == HttpRule.PatternCase.PATTERN_NOT_SET) {
      return "the HTTP rule has no verb (get, put, post, delete, patch or custom)";
    }
    if (rule.getPatternCase() == HttpRule.PatternCase.CUSTOM && !IDENT.matcher(rule.getCustom().getKind()).matches()) {
      return "custom verb '" + rule.getCustom().getKind() + "' is not a token";
    }
    String problem = templateProblem(path(rule), method.getInputType());
    if (problem != null) {
      return "path '" + path(rule) + "': " + problem;
    }
    if (!rule.getBody().isEmpty() && !rule.getBody().equals("*") && method.getInputType().findFieldByName(rule.getBody()) == null) {
      return "body '" + rule.getBody() + "' is neither '*' nor a field of " + method.getInputType().getFullName();
    }
    if (!rule.getResponseBody().isEmpty() && method.getOutputType().findFieldByName(rule.getResponseBody()) == null) {
      return "response_body '" + rule.getResponseBody() + "' is not a field of " + method.getOutputType().getFullName();
    }
    return null;
  }

  /** Template = "/" Segments [ ":" LITERAL ] ; a null answer means it parses and binds. */
  static String templateProblem(String template, Descriptor input) {
    if (template.equals("/")) {
      return null;
    }
    if (!template.startsWith("/")) {
      return "must start with '/'";
    }
    String body = template.substring(1);
    int verb = body.lastIndexOf(':');
    if (verb > body.lastIndexOf('}') && verb > body.lastIndexOf('/')) {
      if (!LITERAL.matcher(body.substring(verb + 1)).matches()) {
        return "the custom verb after ':' must be a literal";
      }
      body = body.substring(0, verb);
    }
    boolean[] doubleWild = {false};
    int i = 0;
    while (i <= body.length()) {
      if (doubleWild[0]) {
        return "'**' must be the last segment";
      }
      int end;
      String problem;
      if (i < body.length() && body.charAt(i) == '{') {
        end = body.indexOf('}', i);
        if (end < 0) {
          return "'{' without '}'";
        }
        problem = variableProblem(body.substring(i + 1, end), input, doubleWild);
        end++;
      } else {
        end = body.indexOf('/', i);
        end = end < 0 ? body.length() : end;
        problem = segmentProblem(body.substring(i, end), doubleWild);
      }
      if (problem != null) {
        return problem;
      }
      if (end < body.length() && body.charAt(end) != '/') {
        return "a variable must be a whole segment";
      }
      i = end + 1;
    }
    return null;
  }

  private static String segmentProblem(String segment, boolean[] doubleWild) {
    if (segment.equals("**")) {
      doubleWild[0] = true;
      return null;
    }
    if (segment.equals("*") || LITERAL.matcher(segment).matches()) {
      return null;
    }
    return segment.isEmpty() ? "empty segment" : "segment '" + segment + "' is neither '*', '**', a literal nor a variable";
  }

  private static String variableProblem(String variable, Descriptor input, boolean[] doubleWild) {
    int eq = variable.indexOf('=');
    String fieldPath = eq < 0 ? variable : variable.substring(0, eq);
    if (eq >= 0) {
      String[] segments = variable.substring(eq + 1).split("/", -1);
      for (String segment : segments) {
        if (doubleWild[0]) {
          return "'**' must be the last segment";
        }
        if (segment.contains("{") || segment.contains("}")) {
          return "variables do not nest";
        }
        String problem = segmentProblem(segment, doubleWild);
        if (problem != null) {
          return problem;
        }
      }
    }
    return fieldPathProblem(fieldPath, input);
  }

  private static String fieldPathProblem(String fieldPath, Descriptor input) {
    Descriptor message = input;
    String[] parts = fieldPath.split("\\.", -1);
    for (int i = 0; i < parts.length; i++) {
      if (!IDENT.matcher(parts[i]).matches()) {
        return "'" + fieldPath + "' is not a field path";
      }
      FieldDescriptor field = message == null ? null : message.findFieldByName(parts[i]);
      if (field == null) {
        return "'" + fieldPath + "' names no field of " + input.getFullName();
      }
      if (field.isRepeated()) {
        return "'" + fieldPath + "' is a repeated field; a path variable binds one value";
      }
      boolean last = i == parts.length - 1;
      boolean isMessage = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
      if (last && isMessage && !field.getMessageType().getFullName().startsWith("google.protobuf.")) {
        return "'" + fieldPath + "' is a message; a path variable binds a scalar";
      }
      message = isMessage ? field.getMessageType() : null;
    }
    return null;
  }

  /** The template with each variable replaced by what it matches: two templates the matcher cannot tell apart look the same. */
  private static String shape(String template) {
    return template.replaceAll("\\{[^}=]*=([^}]*)}", "$1").replaceAll("\\{[^}]*}", "*");
  }

  private static String verb(HttpRule rule) {
    return switch (rule.getPatternCase()) {
      case GET -> "GET";
      case PUT -> "PUT";
      case POST -> "POST";
      case DELETE -> "DELETE";
      case PATCH -> "PATCH";
      case CUSTOM -> rule.getCustom().getKind();
      case PATTERN_NOT_SET -> "";
    };
  }

  private static String path(HttpRule rule) {
    return switch (rule.getPatternCase()) {
      case GET -> rule.getGet();
      case PUT -> rule.getPut();
      case POST -> rule.getPost();
      case DELETE -> rule.getDelete();
      case PATCH -> rule.getPatch();
      case CUSTOM -> rule.getCustom().getPath();
      case PATTERN_NOT_SET -> "";
    };
  }
}
