package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.Route;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Embassy's traffic filters, refused where Envoy would refuse what they become. */
class TrafficFilterRulesTest {
  private static List<FieldError> validate(String rule) throws Exception {
    String json = "{\"name\":\"r\",\"gateway\":\"edge\",\"rules\":[" + rule + "]}";
    return ResourceValidator.validate(ConfigJson.json().readValue(json, Route.class));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      direct response status under 200 (PGV gte 200)        | {"filters":[{"type":"DirectResponse","directResponse":{"status":101}}]} | /rules/0/filters/0/directResponse/status
      direct response status 600 (PGV lt 600)               | {"filters":[{"type":"DirectResponse","directResponse":{"status":600}}]} | /rules/0/filters/0/directResponse/status
      direct response with backends                         | {"filters":[{"type":"DirectResponse","directResponse":{}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/backendRefs
      direct response beside a redirect                     | {"filters":[{"type":"DirectResponse","directResponse":{}},{"type":"RequestRedirect","requestRedirect":{}}]} | /rules/0/filters
      fault with neither delay nor abort                    | {"filters":[{"type":"FaultInjection","faultInjection":{}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/faultInjection
      fault delay of 0s (PGV gt 0)                          | {"filters":[{"type":"FaultInjection","faultInjection":{"delay":{"duration":"0s"}}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/faultInjection/delay/duration
      fault abort status 99 (PGV gte 200)                   | {"filters":[{"type":"FaultInjection","faultInjection":{"abort":{"status":99}}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/faultInjection/abort/status
      fault abort without a status                          | {"filters":[{"type":"FaultInjection","faultInjection":{"abort":{"percent":5}}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/faultInjection/abort/status
      fault percent over 100                                | {"filters":[{"type":"FaultInjection","faultInjection":{"abort":{"status":503,"percent":101}}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/faultInjection/abort/percent
      local limit of 0 requests (max_tokens PGV gt 0)       | {"filters":[{"type":"LocalRateLimit","localRateLimit":{"requests":0,"per":"1s"}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/localRateLimit/requests
      local limit refilled every 10ms (Envoy: >= 50ms)      | {"filters":[{"type":"LocalRateLimit","localRateLimit":{"requests":5,"per":"10ms"}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/localRateLimit/per
      body limit of 0 bytes (max_request_bytes PGV gt 0)    | {"filters":[{"type":"RequestBodyLimit","requestBodyLimit":{"maxBytes":0}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/requestBodyLimit/maxBytes
      a field of another filter type                        | {"filters":[{"type":"LocalRateLimit","localRateLimit":{"requests":5,"per":"1s"},"requestBodyLimit":{"maxBytes":5}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/requestBodyLimit
      """)
  void refusedAtItsPointer(String description, String rule, String pointer) throws Exception {
    assertThat(validate(rule)).extracting(FieldError::pointer).containsExactly(pointer);
  }

  @Test
  void aDirectResponseBodyOver4096BytesIsRefused() throws Exception {
    String body = "é".repeat(2049);
    assertThat(validate("{\"filters\":[{\"type\":\"DirectResponse\",\"directResponse\":{\"body\":\"" + body + "\"}}]}"))
        .extracting(FieldError::pointer).containsExactly("/rules/0/filters/0/directResponse/body");
    assertThat(validate("{\"filters\":[{\"type\":\"DirectResponse\",\"directResponse\":{\"body\":\"" + "a".repeat(4096) + "\"}}]}")).isEmpty();
  }

  @Test
  void theFiltersAsDocumentedAreAccepted() throws Exception {
    assertThat(validate("""
        {"filters":[{"type":"FaultInjection","faultInjection":{"delay":{"duration":"250ms","percent":10},"abort":{"status":503,"percent":5}}},
                    {"type":"LocalRateLimit","localRateLimit":{"requests":100,"per":"50ms"}},
                    {"type":"RequestBodyLimit","requestBodyLimit":{"maxBytes":65536}}],
         "backendRefs":[{"cluster":"c"}]}""")).isEmpty();
    assertThat(validate("{\"filters\":[{\"type\":\"DirectResponse\",\"directResponse\":{\"status\":204}}]}")).isEmpty();
  }
}
