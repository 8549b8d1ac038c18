package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.Cluster;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Cluster fields Envoy refuses once translated, each proven with {@code envoy --mode validate}. */
class ClusterRulesTest {
  private static List<FieldError> validate(String address, String extra) throws Exception {
    String json = "{\"name\":\"c\",\"discovery\":{\"static\":{\"endpoints\":[{\"address\":\"" + address + "\",\"port\":8080}]}}" + extra + "}";
    return ResourceValidator.validate(ConfigJson.json().readValue(json, Cluster.class));
  }

  /** Envoy parses endpoint addresses with inet_pton: "malformed IP address: 01.2.3.4". */
  @ParameterizedTest
  @ValueSource(strings = {"999.1.1.1", "1.2.3", "01.2.3.4", "[::1]", "fe80::1%lo", "1::2::3", "::ffff:01.2.3.4", "Api.internal", "a_b"})
  void staticEndpointAddressesThatAreNeitherIpLiteralsNorNamesAreRefused(String address) throws Exception {
    assertThat(validate(address, "")).extracting(FieldError::pointer).containsExactly("/discovery/static/endpoints/0/address");
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "10.0.0.255", "0.0.0.0", "::1", "2001:DB8::1", "2001:db8:0:0:0:0:0:1", "::ffff:1.2.3.4", "api.internal", "abc"})
  void ipLiteralsAndNamesAreAccepted(String address) throws Exception {
    assertThat(validate(address, "")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      LF in a health-check path (HttpHealthCheck.path PGV)   | ,"healthCheck":{"path":"/healthz\\n","interval":"5s","timeout":"1s","healthyThreshold":1,"unhealthyThreshold":1} | /healthCheck/path
      wildcard SNI (one server name is sent)                 | ,"tls":{"sni":"*.example.com"} | /tls/sni
      """)
  void refusedAtItsPointer(String description, String extra, String pointer) throws Exception {
    assertThat(validate("127.0.0.1", extra)).extracting(FieldError::pointer).containsExactly(pointer);
  }
}
