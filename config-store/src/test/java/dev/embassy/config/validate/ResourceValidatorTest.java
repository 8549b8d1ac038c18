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

  /** docs/guides/keycloak.md's provider entry for any other OIDC provider, read from the page, in a policy of its own. */
  @Test
  void theKeycloakGuidesGenericProviderIsAccepted() throws Exception {
    String provider = dev.embassy.testsupport.DocSnippets.block("guides/keycloak.md", "generic-provider");
    assertThat(validate(ResourceKind.AUTH_POLICY, "{\"name\":\"p\",\"providers\":[" + provider + "]}")).isEmpty();
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

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      no request descriptors                  | {"name":"p","domain":"d","descriptors":[{"key":"k","limit":{"requests":1,"window":"1s"}}]} | /requestDescriptors
      entry with two sources                  | {"name":"p","domain":"d","requestDescriptors":[{"entries":[{"genericKey":{"value":"v"},"remoteAddress":{}}]}],"descriptors":[{"key":"k","limit":{"requests":1,"window":"1s"}}]} | /requestDescriptors/0/entries/0
      one key twice in a descriptor           | {"name":"p","domain":"d","requestDescriptors":[{"entries":[{"requestHeader":{"header":"x-a","key":"k"}},{"claim":{"claim":"sub","key":"k"}}]}],"descriptors":[{"key":"k","limit":{"requests":1,"window":"1s"}}]} | /requestDescriptors/0/entries/1
      IPv4 prefix over 32                     | {"name":"p","domain":"d","requestDescriptors":[{"entries":[{"remoteAddress":{"v4PrefixLength":33}}]}],"descriptors":[{"key":"k","limit":{"requests":1,"window":"1s"}}]} | /requestDescriptors/0/entries/0/remoteAddress/v4PrefixLength
      replaces a limit that does not exist    | {"name":"p","domain":"d","requestDescriptors":[{"entries":[{"genericKey":{"value":"v"}}]}],"descriptors":[{"key":"generic_key","limit":{"requests":1,"window":"1s","name":"a","replaces":["ghost"]}}]} | /descriptors/0/limit/replaces/0
      """)
  void invalidRateLimitPolicyIsReportedAtItsPointer(String description, String json, String pointer) throws Exception {
    assertThat(validate(ResourceKind.RATELIMIT_POLICY, json)).extracting(FieldError::pointer).contains(pointer);
  }

  @Test
  void aRateLimitPolicyWhoseLimitsReplaceEachOtherIsValid() throws Exception {
    assertThat(validate(ResourceKind.RATELIMIT_POLICY, """
        {"name":"p","domain":"d","requestDescriptors":[{"entries":[{"genericKey":{"value":"v"}},{"requestHeader":{"header":"x-user","key":"user"}}]}],
         "descriptors":[{"key":"generic_key","value":"v","limit":{"requests":10,"window":"1m","name":"base"},
           "descriptors":[{"key":"user","value":"vip","limit":{"requests":100,"window":"1m","name":"vip","replaces":["base"]}}]}]}""")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      key stored in the clear, not hashed     | {"name":"p","apiKeys":{"keys":[{"name":"ci","sha256":"my-secret-key"}]}} | /apiKeys/keys/0/sha256
      keys read from Authorization            | {"name":"p","apiKeys":{"header":"Authorization","keys":[{"name":"ci","sha256":"%s"}]}} | /apiKeys/header
      neither providers nor keys              | {"name":"p","apiKeys":{"keys":[]}} | /providers
      """)
  void invalidApiKeysAreReportedAtTheirPointer(String description, String json, String pointer) throws Exception {
    assertThat(validate(ResourceKind.AUTH_POLICY, json.replace("%s", "a".repeat(64)))).extracting(FieldError::pointer).contains(pointer);
  }

  @Test
  void aPolicyWithApiKeysAloneIsValid() throws Exception {
    assertThat(validate(ResourceKind.AUTH_POLICY, """
        {"name":"p","apiKeys":{"keys":[{"name":"ci","sha256":"%s","scopes":["read"]}]},"requirements":{"scopes":["read"]}}"""
        .formatted("0123456789abcdef".repeat(4)))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      sidecar inbound on the app's port       | {"name":"g","nodeGroup":"svc","sidecar":{"inbound":{"port":8080,"appPort":8080}}} | /sidecar/inbound/appPort
      outbound on an inbound port             | {"name":"g","nodeGroup":"svc","sidecar":{"inbound":{"port":15006,"appPort":8080},"outbound":{"port":15006}}} | /sidecar/outbound/port
      sidecar without inbound                 | {"name":"g","nodeGroup":"svc","sidecar":{}} | /sidecar/inbound
      listener named like the sidecar's own   | {"name":"g","nodeGroup":"svc","listeners":[{"name":"outbound","port":9000}],"sidecar":{"inbound":{"port":15006,"appPort":8080}}} | /sidecar
      neither listeners nor sidecar           | {"name":"g","nodeGroup":"svc"} | /listeners
      client certificates without a CA        | {"name":"g","nodeGroup":"e","listeners":[{"name":"s","port":443,"protocol":"HTTPS","tls":{"certificateRefs":["c"],"clientCertificates":{"mode":"Required"}}}]} | /listeners/0/tls/clientCertificates/caCertificateRef
      client certificates on an HTTP listener | {"name":"g","nodeGroup":"e","listeners":[{"name":"s","port":80,"tls":{"certificateRefs":["c"],"clientCertificates":{"caCertificateRef":"ca"}}}]} | /listeners/0/tls
      """)
  void invalidGatewayIsReportedAtItsPointer(String description, String json, String pointer) throws Exception {
    assertThat(validate(ResourceKind.GATEWAY, json)).extracting(FieldError::pointer).contains(pointer);
  }

  @Test
  void aSidecarGatewayNeedsNoListeners() throws Exception {
    assertThat(validate(ResourceKind.GATEWAY, """
        {"name":"orders","nodeGroup":"orders","sidecar":{"inbound":{"port":15006,"appPort":8080},"outbound":{"port":15001,"clusters":["payments"]}}}"""))
        .isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      DNS SAN with a wildcard          | {"type":"DNS","value":"*.internal"}                         | /tls/subjectAltNames/0/value
      DNS SAN by prefix                | {"type":"DNS","value":"api.internal","match":"Prefix"}      | /tls/subjectAltNames/0/match
      URI SAN that is not a URI        | {"type":"URI","value":"payments"}                           | /tls/subjectAltNames/0/value
      URI SAN with a space             | {"type":"URI","value":"spiffe://corp/ns/a b"}               | /tls/subjectAltNames/0/value
      SAN without a type               | {"value":"api.internal"}                                    | /tls/subjectAltNames/0/type
      SAN without a value              | {"type":"DNS"}                                              | /tls/subjectAltNames/0/value
      """)
  void invalidSubjectAltNameIsReportedAtItsPointer(String description, String san, String pointer) throws Exception {
    String json = "{\"name\":\"c\",\"discovery\":{\"static\":{\"endpoints\":[{\"address\":\"10.0.0.1\",\"port\":443}]}},"
        + "\"tls\":{\"subjectAltNames\":[" + san + "]}}";
    assertThat(validate(ResourceKind.CLUSTER, json)).extracting(FieldError::pointer).contains(pointer);
  }

  @Test
  void subjectAltNamesOfBothKindsAreValid() throws Exception {
    assertThat(validate(ResourceKind.CLUSTER, """
        {"name":"c","discovery":{"static":{"endpoints":[{"address":"10.0.0.1","port":443}]}},"tls":{"sni":"api.internal",
         "subjectAltNames":[{"type":"DNS","value":"api.internal"},{"type":"URI","value":"spiffe://corp.example/ns/pay/","match":"Prefix"}]}}"""))
        .isEmpty();
  }
}
