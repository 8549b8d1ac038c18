package dev.embassy.admin.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.validate.FieldError;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads request bodies: bounded in size, in a supported media type, and into the model with
 * every syntax or type error located by JSON Pointer.
 */
final class Bodies {
  static final String JSON = "application/json";
  static final String MERGE_PATCH = "application/merge-patch+json";
  private static final Set<String> YAML = Set.of("application/yaml", "application/x-yaml", "text/yaml");

  private Bodies() {}

  enum Format { JSON, YAML }

  /** The body's format from Content-Type; {@code allowYaml} for the declarative endpoints. */
  static Format format(Context ctx, boolean allowYaml, Set<String> jsonTypes) {
    String header = ctx.header("Content-Type");
    String type = header == null ? JSON : header.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (jsonTypes.contains(type)) {
      return Format.JSON;
    }
    if (allowYaml && YAML.contains(type)) {
      return Format.YAML;
    }
    String accepted = String.join(", ", jsonTypes) + (allowYaml ? ", " + String.join(", ", YAML.stream().sorted().toList()) : "");
    // RFC 5789 §3.2: a 415 to a PATCH names the patch formats the resource accepts.
    Map<String, String> headers = jsonTypes.contains(MERGE_PATCH) ? Map.of("Accept-Patch", MERGE_PATCH) : Map.of();
    throw new ApiProblem(415, "Unsupported media type", "Content-Type " + type + " is not accepted here; use " + accepted, List.of(), headers);
  }

  static byte[] read(Context ctx, long limit) {
    String length = ctx.header("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.strip()) > limit) {
          throw tooLarge(limit);
        }
      } catch (NumberFormatException e) {
        throw new ApiProblem(400, "Bad request", "Content-Length is not a number");
      }
    }
    try (InputStream in = ctx.req().getInputStream()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[16 * 1024];
      long total = 0;
      int n;
      while ((n = in.read(buffer)) != -1) {
        total += n;
        if (total > limit) {
          throw tooLarge(limit);
        }
        out.write(buffer, 0, n);
      }
      if (total == 0) {
        throw new ApiProblem(400, "Bad request", "The request body is empty");
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new ApiProblem(400, "Bad request", "The request body could not be read: " + e.getMessage());
    }
  }

  static JsonNode tree(byte[] body, Format format) {
    try {
      if (format == Format.YAML) {
        refuseAliases(body);
      }
      JsonNode node = mapper(format).readTree(body);
      if (node == null || node.isMissingNode()) {
        throw new ApiProblem(400, "Bad request", "The request body is empty");
      }
      List<FieldError> unstorable = new java.util.ArrayList<>();
      findUnstorableText(node, "", unstorable);
      if (!unstorable.isEmpty()) {
        throw new ApiProblem(400, "Bad request", "The body contains text that cannot be stored", unstorable, Map.of());
      }
      return node;
    } catch (JsonProcessingException e) {
      throw syntax(e);
    } catch (IOException e) {
      throw new ApiProblem(400, "Bad request", "The request body could not be read");
    }
  }

  static <T> T bind(JsonNode tree, Class<T> type) {
    if (!tree.isObject()) {
      throw new ApiProblem(400, "Bad request", "The body must be a JSON object", List.of(new FieldError("", "must be an object")), Map.of());
    }
    try {
      return ConfigJson.json().treeToValue(tree, type);
    } catch (JsonProcessingException e) {
      throw syntax(e);
    } catch (IllegalArgumentException e) {
      throw new ApiProblem(400, "Bad request", "The body does not fit the resource: " + e.getMessage());
    }
  }

  /**
   * NUL characters (which Postgres cannot store in jsonb) and unpaired UTF-16 surrogates (which
   * would be stored as '?', silently changing the value) are refused wherever they appear.
   */
  private static void findUnstorableText(JsonNode node, String pointer, List<FieldError> errors) {
    if (errors.size() >= 20) {
      return;
    }
    if (node.isTextual() && !storable(node.textValue())) {
      errors.add(new FieldError(pointer, "contains a NUL character or an unpaired surrogate"));
    } else if (node.isObject()) {
      node.properties().forEach(e -> {
        String child = pointer + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
        if (!storable(e.getKey())) {
          errors.add(new FieldError(child, "field name contains a NUL character or an unpaired surrogate"));
        } else {
          findUnstorableText(e.getValue(), child, errors);
        }
      });
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        findUnstorableText(node.get(i), pointer + "/" + i, errors);
      }
    }
  }

  private static boolean storable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Jackson's YAML reader does not expand aliases (*name): it would hand over the alias name as a
   * string and the document would fail with a misleading type error. Say what it is instead.
   */
  private static void refuseAliases(byte[] body) throws IOException {
    try (var parser = (com.fasterxml.jackson.dataformat.yaml.YAMLParser) ConfigJson.yaml().getFactory().createParser(body)) {
      while (parser.nextToken() != null) {
        if (parser.isCurrentAlias()) {
          throw new ApiProblem(400, "Bad request", "YAML anchors and aliases are not supported; write the value out",
              List.of(new FieldError(pointer(parser), "alias *" + parser.getText() + " at line " + parser.currentLocation().getLineNr())), Map.of());
        }
      }
    }
  }

  private static String pointer(com.fasterxml.jackson.core.JsonParser parser) {
    StringBuilder pointer = new StringBuilder();
    java.util.Deque<String> segments = new java.util.ArrayDeque<>();
    for (var context = parser.getParsingContext(); context != null && !context.inRoot(); context = context.getParent()) {
      segments.addFirst(context.inArray() ? Integer.toString(context.getCurrentIndex())
          : String.valueOf(context.getCurrentName()).replace("~", "~0").replace("/", "~1"));
    }
    segments.forEach(s -> pointer.append('/').append(s));
    return pointer.toString();
  }

  private static ObjectMapper mapper(Format format) {
    return format == Format.YAML ? ConfigJson.yaml() : ConfigJson.json();
  }

  private static ApiProblem tooLarge(long limit) {
    return new ApiProblem(413, "Content too large", "The request body exceeds the limit of " + limit + " bytes");
  }

  /** Maps a Jackson failure to 400 with the pointer of the offending field. */
  private static ApiProblem syntax(JsonProcessingException e) {
    if (e instanceof StreamConstraintsException) {
      return new ApiProblem(400, "Bad request", "The document exceeds a parser limit: " + e.getOriginalMessage());
    }
    String pointer = e instanceof JsonMappingException mapping ? pointer(mapping) : "";
    String detail;
    if (e instanceof UnrecognizedPropertyException unknown) {
      detail = "unknown field '" + unknown.getPropertyName() + "'";
    } else if (e instanceof InvalidFormatException invalid) {
      detail = "'" + invalid.getValue() + "' is not a valid " + simpleType(invalid.getTargetType());
    } else if (e instanceof ValueInstantiationException instantiation) {
      detail = instantiation.getCause() instanceof NullPointerException ? "null is not allowed here" : "invalid value";
    } else if (e instanceof MismatchedInputException mismatch) {
      detail = "expected " + simpleType(mismatch.getTargetType());
    } else {
      detail = "malformed " + (e.getLocation() == null ? "document" : "document at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
      String original = e.getOriginalMessage();
      if (original != null) {
        detail += ": " + original.lines().findFirst().orElse("");
      }
    }
    return new ApiProblem(400, "Bad request", "The body could not be read as the expected document", List.of(new FieldError(pointer, detail)), Map.of());
  }

  private static String pointer(JsonMappingException e) {
    StringBuilder pointer = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      pointer.append('/');
      if (ref.getFieldName() != null) {
        pointer.append(ref.getFieldName().replace("~", "~0").replace("/", "~1"));
      } else if (ref.getIndex() >= 0) {
        pointer.append(ref.getIndex());
      }
    }
    return pointer.toString();
  }

  private static String simpleType(Class<?> type) {
    if (type == null) {
      return "value";
    }
    if (type.isEnum()) {
      return "value (one of " + List.of(type.getEnumConstants()) + ")";
    }
    if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
      return "number";
    }
    if (type == String.class) {
      return "string";
    }
    if (type == Boolean.class) {
      return "boolean";
    }
    if (List.class.isAssignableFrom(type)) {
      return "array";
    }
    return "object";
  }
}
