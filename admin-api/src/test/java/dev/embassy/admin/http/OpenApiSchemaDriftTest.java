package dev.embassy.admin.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.embassy.config.model.ConfigDocument;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The published schemas must describe exactly the fields the model accepts: walks the model's
 * records from {@link ConfigDocument} and the OpenAPI schemas from {@code ConfigDocument} side by
 * side, following each nested record into the schema its property points at. A field added to the
 * model without documenting it (or documented but not accepted: the codec rejects unknown fields)
 * fails here.
 */
class OpenApiSchemaDriftTest {
  @Test
  void schemasDescribeExactlyTheModelsFields() throws Exception {
    JsonNode document = new ObjectMapper().readTree(AdminHttpServer.openApiDocument());
    List<String> drift = new ArrayList<>();
    compare(ConfigDocument.class, document.path("components").path("schemas").path("ConfigDocument"), document, "ConfigDocument", drift, new TreeSet<>());
    assertThat(drift).as("model fields vs. openapi.json schemas").isEmpty();
  }

  private static void compare(Class<?> type, JsonNode schema, JsonNode document, String path, List<String> drift, Set<String> visited) {
    // Each record type once: nested descriptors refer to their own type.
    if (!visited.add(type.getName())) {
      return;
    }
    schema = resolve(schema, document);
    Set<String> modelFields = new TreeSet<>();
    for (RecordComponent component : type.getRecordComponents()) {
      modelFields.add(jsonName(component));
    }
    Set<String> schemaFields = new TreeSet<>();
    schema.path("properties").fieldNames().forEachRemaining(schemaFields::add);
    if (!modelFields.equals(schemaFields)) {
      drift.add(path + ": model " + modelFields + " but schema " + schemaFields);
      return;
    }
    for (RecordComponent component : type.getRecordComponents()) {
      Class<?> nested = recordIn(component.getGenericType());
      if (nested == null) {
        continue;
      }
      JsonNode property = resolve(schema.path("properties").path(jsonName(component)), document);
      JsonNode nestedSchema = property.has("items") ? property.get("items") : property;
      compare(nested, nestedSchema, document, path + "." + jsonName(component), drift, visited);
    }
  }

  private static JsonNode resolve(JsonNode schema, JsonNode document) {
    while (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      schema = document.at(ref.substring(1));
    }
    return schema;
  }

  private static String jsonName(RecordComponent component) {
    JsonProperty renamed = component.getAccessor().getAnnotation(JsonProperty.class);
    if (renamed == null) {
      renamed = component.getAnnotation(JsonProperty.class);
    }
    return renamed != null && !renamed.value().isEmpty() ? renamed.value() : component.getName();
  }

  /** The record type inside a component's type, through List and Optional; null when none. */
  private static Class<?> recordIn(Type type) {
    if (type instanceof Class<?> c) {
      return c.isRecord() ? c : null;
    }
    if (type instanceof ParameterizedType p && p.getActualTypeArguments().length == 1) {
      return recordIn(p.getActualTypeArguments()[0]);
    }
    return null;
  }
}
