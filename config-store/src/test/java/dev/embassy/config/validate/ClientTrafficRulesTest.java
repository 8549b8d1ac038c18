package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.Route;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Client IP lists, trusted hops, listener timeouts and session affinity, refused at their pointer. */
class ClientTrafficRulesTest {
  private static List<FieldError> rule(String rule) throws Exception {
    return ResourceValidator.validate(ConfigJson.json().readValue(
        "{\"name\":\"r\",\"gateway\":\"edge\",\"rules\":[" + rule + "]}", Route.class));
  }

  private static List<FieldError> listener(String fields) throws Exception {
    return ResourceValidator.validate(ConfigJson.json().readValue(
        "{\"name\":\"g\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"http\",\"port\":10000," + fields + "}]}", Gateway.class));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      empty client IP lists                 | "clientIps":{} | /rules/0/clientIps
      not an address                        | "clientIps":{"allow":["10.0.0.0/8","example.com"]} | /rules/0/clientIps/allow/1
      IPv4 prefix over 32 (CidrRange)       | "clientIps":{"deny":["10.0.0.0/33"]} | /rules/0/clientIps/deny/0
      IPv6 prefix over 128                  | "clientIps":{"deny":["2001:db8::/129"]} | /rules/0/clientIps/deny/0
      header affinity without a header      | "sessionAffinity":{"type":"Header"} | /rules/0/sessionAffinity/header
      cookie affinity without a ttl         | "sessionAffinity":{"type":"Cookie","cookie":{"name":"s"}} | /rules/0/sessionAffinity/cookie/ttl
      cookie name that is no token          | "sessionAffinity":{"type":"Cookie","cookie":{"name":"a b","ttl":"1h"}} | /rules/0/sessionAffinity/cookie/name
      cookie on a source IP affinity        | "sessionAffinity":{"type":"SourceIP","cookie":{"name":"s","ttl":"1h"}} | /rules/0/sessionAffinity/cookie
      """)
  void ruleRefusedAtItsPointer(String description, String fields, String pointer) throws Exception {
    assertThat(rule("{" + fields + ",\"backendRefs\":[{\"cluster\":\"c\"}]}")).extracting(FieldError::pointer).containsExactly(pointer);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      trusted hops over 10                  | "clientAddress":{"trustedHops":11} | /listeners/0/clientAddress/trustedHops
      a listener IP list with a bad range   | "clientIps":{"allow":["10.0.0.1/x"]} | /listeners/0/clientIps/allow/0
      an idle timeout of 0s                 | "timeouts":{"idle":"0s"} | /listeners/0/timeouts/idle
      a request-headers timeout over 10m    | "timeouts":{"requestHeaders":"1h"} | /listeners/0/timeouts/requestHeaders
      """)
  void listenerRefusedAtItsPointer(String description, String fields, String pointer) throws Exception {
    assertThat(listener(fields)).extracting(FieldError::pointer).containsExactly(pointer);
  }

  @org.junit.jupiter.api.Test
  void aRequestTimeoutOf0sDisablesItAndIsAccepted() throws Exception {
    assertThat(rule("{\"timeouts\":{\"request\":\"0s\"},\"webSocket\":true,\"backendRefs\":[{\"cluster\":\"c\"}]}")).isEmpty();
    assertThat(listener("\"clientAddress\":{\"trustedHops\":2},\"clientIps\":{\"allow\":[\"10.0.0.0/8\",\"2001:db8::/32\",\"192.0.2.7\"]},"
        + "\"timeouts\":{\"idle\":\"1h\",\"streamIdle\":\"5m\",\"requestHeaders\":\"10s\"}")).isEmpty();
  }
}
