package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.ResourceKind;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What Envoy (or grpc-java) would NACK must be caught here, each at the right JSON Pointer. */
class ResourceValidatorTest {
  private static final String ROUTE = """
      {"name":"r","gateway":"edge","rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/"}}],
       "filters":[], "backendRefs":[{"cluster":"c"}]}]}""";

  private static List<FieldError> validate(ResourceKind kind, String json) throws Exception {
    ConfigResource resource = ConfigJson.json().readValue(json, kind.type());
    return ResourceValidator.validate(resource);
  }

  @Test
  void aMinimalRouteIsValid() throws Exception {
    assertThat(validate(ResourceKind.ROUTE, ROUTE)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      regex that RE2 rejects (backreference) | {"matches":[{"path":{"type":"RegularExpression","value":"(a)\\\\1"}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/matches/0/path/value
      prefix without leading slash           | {"matches":[{"path":{"type":"PathPrefix","value":"api"}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/matches/0/path/value
      Host header modifier (kgateway 14264)  | {"filters":[{"type":"RequestHeaderModifier","requestHeaderModifier":{"set":[{"name":"Host","value":"x"}]}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/requestHeaderModifier/set/0/name
      pseudo-header modifier                 | {"filters":[{"type":"RequestHeaderModifier","requestHeaderModifier":{"remove":[":path"]}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/requestHeaderModifier/remove/0
      CRLF in a header value                 | {"filters":[{"type":"ResponseHeaderModifier","responseHeaderModifier":{"add":[{"name":"x","value":"a\\r\\nb"}]}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/responseHeaderModifier/add/0/value
      filter config of another type          | {"filters":[{"type":"URLRewrite","requestHeaderModifier":{"remove":["x"]}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/urlRewrite
      weights summing to zero (istio 36021)  | {"backendRefs":[{"cluster":"c","weight":0}]} | /rules/0/backendRefs
      prefix rewrite on an exact match       | {"matches":[{"path":{"type":"Exact","value":"/a"}}],"filters":[{"type":"URLRewrite","urlRewrite":{"path":{"type":"ReplacePrefixMatch","value":"/b"}}}],"backendRefs":[{"cluster":"c"}]} | /rules/0/filters/0/urlRewrite/path/type
      unknown method                         | {"matches":[{"method":"FETCH"}],"backendRefs":[{"cluster":"c"}]} | /rules/0/matches/0/method
      redirect status that is not a redirect | {"filters":[{"type":"RequestRedirect","requestRedirect":{"statusCode":200}}]} | /rules/0/filters/0/requestRedirect/statusCode
      backend timeout above request timeout  | {"timeouts":{"request":"1s","backendRequest":"2s"},"backendRefs":[{"cluster":"c"}]} | /rules/0/timeouts/backendRequest
      no backends and no redirect            | {"matches":[{"path":{"type":"Exact","value":"/a"}}]} | /rules/0/backendRefs
      """)
  void invalidRuleIsReportedAtItsPointer(String description, String rule, String pointer) throws Exception {
    String json = "{\"name\":\"r\",\"gateway\":\"edge\",\"rules\":[" + rule + "]}";
    assertThat(validate(ResourceKind.ROUTE, json)).extracting(FieldError::pointer).contains(pointer);
  }

  @Test
  void limitsFollowGatewayApi() throws Exception {
    String rules = String.join(",", java.util.Collections.nCopies(17, "{\"backendRefs\":[{\"cluster\":\"c\"}]}"));
    assertThat(validate(ResourceKind.ROUTE, "{\"name\":\"r\",\"gateway\":\"g\",\"rules\":[" + rules + "]}"))
        .extracting(FieldError::detail).contains("at most 16 entries");
  }

  @Test
  void authPolicyRefusesNoneAndHmacAndNeedsAnAudience() throws Exception {
    List<FieldError> errors = validate(ResourceKind.AUTH_POLICY, """
        {"name":"p","providers":[{"name":"idp","issuer":"https://i","jwksUri":"https://i/jwks","algorithms":["none","HS256"]}]}""");
    assertThat(errors).extracting(FieldError::pointer)
        .contains("/providers/0/algorithms/0", "/providers/0/algorithms/1", "/providers/0/audiences");
  }

  @Test
  void jwksMustBeHttpsExceptOnLoopback() throws Exception {
    String template = "{\"name\":\"p\",\"providers\":[{\"name\":\"idp\",\"issuer\":\"i\",\"jwksUri\":\"%s\",\"audiences\":[\"a\"]}]}";
    assertThat(validate(ResourceKind.AUTH_POLICY, template.formatted("http://idp.example.com/jwks"))).isNotEmpty();
    assertThat(validate(ResourceKind.AUTH_POLICY, template.formatted("http://127.0.0.1:8080/jwks"))).isEmpty();
    assertThat(validate(ResourceKind.AUTH_POLICY, template.formatted("https://user:pw@idp.example.com/jwks"))).isNotEmpty();
  }

  @Test
  void rateLimitDescriptorsNeedALimitOrChildrenAndValidWindows() throws Exception {
    List<FieldError> errors = validate(ResourceKind.RATELIMIT_POLICY, """
        {"name":"p","domain":"edge","descriptors":[{"key":"a"},{"key":"b","limit":{"requests":5,"window":"2d"}},
         {"key":"c","limit":{"unlimited":true,"requests":3}}]}""");
    assertThat(errors).extracting(FieldError::pointer)
        .contains("/descriptors/0", "/descriptors/1/limit/window", "/descriptors/2/limit");
  }

  @Test
  void clusterNeedsExactlyOneDiscoveryAndEnvoyCompatibleWeights() throws Exception {
    assertThat(validate(ResourceKind.CLUSTER, "{\"name\":\"c\",\"discovery\":{}}")).extracting(FieldError::pointer).contains("/discovery");
    assertThat(validate(ResourceKind.CLUSTER,
        "{\"name\":\"c\",\"discovery\":{\"static\":{\"endpoints\":[{\"address\":\"10.0.0.1\",\"port\":80,\"weight\":0}]}}}"))
        .extracting(FieldError::pointer).contains("/discovery/static/endpoints/0/weight");
  }

  @Test
  void namesAreDnsLabels() throws Exception {
    for (String bad : List.of("Upper", "-lead", "trail-", "with.dot", "x".repeat(64), "a b", "ü")) {
      assertThat(validate(ResourceKind.CLUSTER, "{\"name\":\"" + bad + "\",\"discovery\":{\"consul\":{\"service\":\"s\"}}}"))
          .as(bad).extracting(FieldError::pointer).contains("/name");
    }
  }
}
