package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.Route;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Route fields Envoy refuses once translated, each proven with {@code envoy --mode validate};
 * docs/validation-fields.md quotes the Envoy error for each.
 */
class RouteRulesTest {
  private static List<FieldError> validate(String rule) throws Exception {
    String json = "{\"name\":\"r\",\"gateway\":\"edge\",\"rules\":[" + rule + "]}";
    return ResourceValidator.validate(ConfigJson.json().readValue(json, Route.class));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      '%' in a set request header (Couldn't find valid command)  | {"filters":[{"type":"RequestHeaderModifier","requestHeaderModifier":{"set":[{"name":"x-a","value":"100%"}]}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/requestHeaderModifier/set/0/value
      '%...%' in an added response header (Not supported field)  | {"filters":[{"type":"ResponseHeaderModifier","responseHeaderModifier":{"add":[{"name":"x-a","value":"%FOO%"}]}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/responseHeaderModifier/add/0/value
      LF in a redirect path (path_redirect PGV)                  | {"filters":[{"type":"RequestRedirect","requestRedirect":{"path":{"type":"ReplaceFullPath","value":"/a\\nb"}}}]} | /rules/0/filters/0/requestRedirect/path/value
      LF in a rewritten prefix (prefix_rewrite PGV)              | {"matches":[{"path":{"type":"PathPrefix","value":"/a"}}],"filters":[{"type":"URLRewrite","urlRewrite":{"path":{"type":"ReplacePrefixMatch","value":"/b\\n"}}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/urlRewrite/path/value
      NUL in a full-path rewrite (regex_rewrite.substitution)    | {"filters":[{"type":"URLRewrite","urlRewrite":{"path":{"type":"ReplaceFullPath","value":"/b\\u0000"}}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/urlRewrite/path/value
      control character in a path match (never matches)          | {"matches":[{"path":{"type":"Exact","value":"/a\\tb"}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/matches/0/path/value
      wildcard redirect host (Gateway API PreciseHostname)       | {"filters":[{"type":"RequestRedirect","requestRedirect":{"hostname":"*.example.com"}}]} | /rules/0/filters/0/requestRedirect/hostname
      wildcard rewrite host (Gateway API PreciseHostname)        | {"filters":[{"type":"URLRewrite","urlRewrite":{"hostname":"*.example.com"}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/urlRewrite/hostname
      """)
  void refusedAtItsPointer(String description, String rule, String pointer) throws Exception {
    assertThat(validate(rule)).extracting(FieldError::pointer).containsExactly(pointer);
  }

  @Test
  void headerModifiersTakeAtMost16OfEach() throws Exception {
    StringBuilder set = new StringBuilder();
    for (int i = 0; i < 1001; i++) {
      set.append(i == 0 ? "" : ",").append("{\"name\":\"x-").append(i).append("\",\"value\":\"v\"}");
    }
    // 1001 would be NACKed by Envoy (headers_to_add max_items: 1000); Gateway API stops at 16.
    assertThat(validate("{\"filters\":[{\"type\":\"RequestHeaderModifier\",\"requestHeaderModifier\":{\"set\":[" + set + "]}}],\"backendRefs\":[{\"cluster\":\"c\"}]}"))
        .extracting(FieldError::pointer).containsExactly("/rules/0/filters/0/requestHeaderModifier/set");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      '%' in a header match value (a StringMatcher, not a format)  | {"matches":[{"headers":[{"name":"x-a","value":"100%"}]}],"backendRefs":[{"cluster":"c"}]}
      a header value with spaces and tabs                           | {"filters":[{"type":"RequestHeaderModifier","requestHeaderModifier":{"set":[{"name":"x-a","value":"a b\\tc"}]}}],"backendRefs":[{"cluster":"c"}]}
      percent-encoded redirect path                                 | {"filters":[{"type":"RequestRedirect","requestRedirect":{"hostname":"example.com","path":{"type":"ReplaceFullPath","value":"/a%20b"}}}]}
      """)
  void accepted(String description, String rule) throws Exception {
    assertThat(validate(rule)).isEmpty();
  }
}
