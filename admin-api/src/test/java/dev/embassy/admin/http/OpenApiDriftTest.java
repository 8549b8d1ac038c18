package dev.embassy.admin.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The published OpenAPI document (src/main/resources/openapi.json) must describe exactly the
 * operations the server registers, with the same minimum role, so clients generated from it are
 * never out of date.
 */
class OpenApiDriftTest {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

  @Test
  void documentMatchesTheRegisteredEndpoints() throws Exception {
    JsonNode document = new ObjectMapper().readTree(AdminHttpServer.openApiDocument());
    assertThat(document.path("openapi").asText()).startsWith("3.1");

    Map<String, String> documented = new TreeMap<>();
    document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
      if (METHODS.contains(operation.getKey())) {
        JsonNode op = operation.getValue();
        boolean anonymous = op.has("security") && op.get("security").isEmpty();
        documented.put(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(),
            anonymous ? "anonymous" : op.path("x-embassy-role").asText("(no x-embassy-role)"));
      }
    }));

    Map<String, String> registered = new TreeMap<>();
    for (Endpoint endpoint : AdminHttpServer.endpoints(null, null, null, null)) {
      registered.put(endpoint.method().name() + " " + endpoint.path(), endpoint.role().map(Enum::name).orElse("anonymous"));
    }

    Set<String> undocumented = new TreeSet<>(registered.keySet());
    undocumented.removeAll(documented.keySet());
    Set<String> phantom = new TreeSet<>(documented.keySet());
    phantom.removeAll(registered.keySet());
    assertThat(undocumented).as("registered but missing from openapi.json").isEmpty();
    assertThat(phantom).as("in openapi.json but not served").isEmpty();
    assertThat(documented).as("roles in openapi.json (x-embassy-role)").isEqualTo(registered);
  }

  @Test
  void everyOperationHasAUniqueOperationId() throws Exception {
    JsonNode document = new ObjectMapper().readTree(AdminHttpServer.openApiDocument());
    Set<String> ids = new TreeSet<>();
    document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
      if (METHODS.contains(operation.getKey())) {
        String id = operation.getValue().path("operationId").asText();
        assertThat(id).as(operation.getKey() + " " + path.getKey()).isNotEmpty();
        assertThat(ids.add(id)).as("duplicate operationId " + id).isTrue();
      }
    }));
  }
}
