package dev.embassy.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The harness runs a real Consul: register a service and read it back from the health API. */
class ConsulAgentIT {
  @Test
  void registeredServiceIsServedByTheHealthApi() throws Exception {
    try (ConsulAgent consul = ConsulAgent.start()) {
      consul.http("PUT", "/v1/agent/service/register",
          "{\"Name\":\"echo\",\"ID\":\"echo-1\",\"Address\":\"127.0.0.1\",\"Port\":18080,"
              + "\"Check\":{\"TTL\":\"30s\",\"Status\":\"passing\"}}");

      JsonNode healthy = new ObjectMapper().readTree(consul.http("GET", "/v1/health/service/echo?passing", null));
      assertThat(healthy).hasSize(1);
      assertThat(healthy.get(0).path("Service").path("ID").asText()).isEqualTo("echo-1");
      assertThat(healthy.get(0).path("Service").path("Port").asInt()).isEqualTo(18080);
    }
  }
}
