package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.Gateway;
import dev.embassy.testsupport.DocSnippets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Access-log formats, the stats listener, compression and tracing, refused where Envoy would NACK the listener. */
class ObservabilityRulesTest {
  private static final String PAGE = "observability.md";

  private static List<FieldError> gateway(String fields) throws Exception {
    return ResourceValidator.validate(ConfigJson.json().readValue(
        "{\"name\":\"g\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"http\",\"port\":10000}]," + fields + "}", Gateway.class));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      an unknown command (Not supported field)   | "accessLog":{"fields":{"x":"%FOO%"}} | /accessLog/fields/x
      a lone percent sign (no valid command)     | "accessLog":{"fields":{"x":"100%"}} | /accessLog/fields/x
      a header command without its header        | "accessLog":{"fields":{"x":"%REQ%"}} | /accessLog/fields/x
      a relative path                            | "accessLog":{"path":"logs/access.log"} | /accessLog/path
      text on a Json log                         | "accessLog":{"text":"%START_TIME%"} | /accessLog/text
      fields on a Text log                       | "accessLog":{"format":"Text","fields":{"a":"%PROTOCOL%"}} | /accessLog/fields
      an unknown command in a text format        | "accessLog":{"format":"Text","text":"%START_TIME% %BOGUS%"} | /accessLog/text
      a stats port a listener uses               | "stats":{"port":10000} | /stats/port
      a stats admin port out of range            | "stats":{"port":19001,"adminPort":70000} | /stats/adminPort
      an algorithm given twice                   | "compression":{"algorithms":["gzip","gzip"]} | /compression/algorithms/1
      a content type with parameters             | "compression":{"contentTypes":["text/html; charset=utf-8"]} | /compression/contentTypes/0
      tracing without a collector                | "tracing":{"samplingPercent":10} | /tracing/collector
      a collector address that is no host        | "tracing":{"collector":{"address":"http://otel:4317"}} | /tracing/collector/address
      a collector port out of range              | "tracing":{"collector":{"address":"otel","port":0}} | /tracing/collector/port
      a sampling percentage above 100            | "tracing":{"collector":{"address":"otel"},"samplingPercent":100.5} | /tracing/samplingPercent
      a negative sampling percentage             | "tracing":{"collector":{"address":"otel"},"samplingPercent":-1} | /tracing/samplingPercent
      an empty service name                      | "tracing":{"collector":{"address":"otel"},"serviceName":""} | /tracing/serviceName
      a service name with a control character    | "tracing":{"collector":{"address":"otel"},"serviceName":"edge\\n"} | /tracing/serviceName
      """)
  void refusedAtItsPointer(String description, String fields, String pointer) throws Exception {
    assertThat(gateway(fields)).extracting(FieldError::pointer).containsExactly(pointer);
  }

  @Test
  void theDocumentedFormatsAreAccepted() throws Exception {
    assertThat(gateway("\"accessLog\":{\"fields\":{\"id\":\"%REQ(X-REQUEST-ID)%\",\"path\":\"%REQ(X-ENVOY-ORIGINAL-PATH?:PATH):256%\","
        + "\"sub\":\"%DYNAMIC_METADATA(envoy.filters.http.ext_authz:sub)%\",\"status\":\"%RESPONSE_CODE%\",\"literal\":\"gateway g\"}},"
        + "\"stats\":{\"port\":19001}")).isEmpty();
    assertThat(gateway("\"tracing\":{\"collector\":{\"address\":\"otel-collector.monitoring\",\"port\":4317},"
        + "\"samplingPercent\":0.01,\"serviceName\":\"edge gateway\"}")).isEmpty();
    assertThat(gateway("\"tracing\":{\"collector\":{\"address\":\"127.0.0.1\"}}")).isEmpty();
    assertThat(gateway("\"accessLog\":{\"format\":\"Text\",\"path\":\"/dev/stderr\",\"text\":\"%START_TIME% %REQ(:METHOD)% %RESPONSE_CODE%\"}")).isEmpty();
  }

  /** docs/observability.md's examples, read from the page: each is accepted as the admin API would accept it. */
  @Test
  void thePagesExamplesAreAccepted() throws Exception {
    for (String documents : List.of("access-logs", "tracing")) {
      ConfigDocument example = ConfigJson.yaml().readValue(DocSnippets.block(PAGE, documents), ConfigDocument.class);
      assertThat(example.gateways()).as("the " + documents + " example's gateways").isNotEmpty();
      for (Gateway gateway : example.gateways()) {
        assertThat(ResourceValidator.validate(gateway)).as(documents + ": " + gateway.name()).isEmpty();
      }
    }
    assertThat(ConfigJson.yaml().readValue(DocSnippets.block(PAGE, "tracing"), ConfigDocument.class).gateways().getFirst().tracing())
        .as("the tracing example sets tracing").isPresent();
    for (String fragment : List.of("stats", "compression")) {
      // The page shows one gateway field, indented as it sits under a gateway.
      ObjectNode gateway = (ObjectNode) ConfigJson.json().readTree("{\"name\":\"g\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"http\",\"port\":10000}]}");
      ObjectNode field = (ObjectNode) ConfigJson.yaml().readTree(DocSnippets.block(PAGE, fragment).stripIndent());
      assertThat(field.size() == 1 && field.has(fragment)).as(fragment + " is the one field shown").isTrue();
      gateway.setAll(field);
      assertThat(ResourceValidator.validate(ConfigJson.json().treeToValue(gateway, Gateway.class))).as(fragment).isEmpty();
    }
  }
}
