package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ResourceKind;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Gateways of one node group share their Envoys' ports. Envoy refuses the second listener on an
 * address:port ("has duplicate address '0.0.0.0:10000' as existing listener"), so the API refuses
 * the second gateway (docs/validation-fields.md says why Embassy does not merge them).
 */
class GatewayPortsTest {
  private static final String EDGE = "{\"name\":\"edge\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"http\",\"port\":10000}]}";
  private static final String SIDECAR = """
      {"name":"orders","nodeGroup":"edge","sidecar":{"inbound":{"port":15006,"appPort":8080},"outbound":{"port":15001,"clusters":[]}}}""";

  /** The other gateways as they will be after the write. */
  private record Peers(List<Gateway> gateways) implements ConfigView {
    @Override
    public boolean exists(ResourceKind kind, String name) {
      return true;
    }

    @Override
    public Optional<Gateway> gateway(String name) {
      return gateways.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    @Override
    public Optional<dev.embassy.config.model.ConfigResource> find(ResourceKind kind, String name) {
      return gateway(name).map(g -> g);
    }

    @Override
    public List<dev.embassy.config.model.Route> routesReferring(ResourceKind kind, String name) {
      return List.of();
    }

    @Override
    public List<Gateway> nodeGroupPeers(String nodeGroup, String gateway) {
      return gateways.stream().filter(g -> g.nodeGroup().equals(nodeGroup) && !g.name().equals(gateway)).toList();
    }

    @Override
    public Map<String, String> conflictingClaims(String gateway, Collection<String> keys, String route) {
      return Map.of();
    }

    @Override
    public Optional<String> rateLimitDomainOwner(String domain, String policy) {
      return Optional.empty();
    }
  }

  private static Gateway gateway(String json) throws Exception {
    return ConfigJson.json().readValue(json, Gateway.class);
  }

  private static List<FieldError> validate(String json, String... peers) throws Exception {
    List<Gateway> others = new java.util.ArrayList<>();
    for (String peer : peers) {
      others.add(gateway(peer));
    }
    Gateway gateway = gateway(json);
    others.add(gateway);
    return ConfigValidator.validate(gateway, new Peers(others));
  }

  @Test
  void aSecondGatewayOnTheSamePortOfTheNodeGroupIsRefusedNamingTheFirst() throws Exception {
    List<FieldError> errors = validate("{\"name\":\"api\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"web\",\"port\":10000}]}", EDGE);
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.pointer()).isEqualTo("/listeners/0/port");
      assertThat(e.detail()).contains("port 10000", "node group edge", "gateway edge", "listener http");
    });
  }

  @Test
  void theSamePortInAnotherNodeGroupIsFine() throws Exception {
    assertThat(validate("{\"name\":\"api\",\"nodeGroup\":\"internal\",\"listeners\":[{\"name\":\"web\",\"port\":10000}]}", EDGE)).isEmpty();
  }

  @Test
  void aListenerOnAPeerSidecarsInboundOrOutboundPortIsRefused() throws Exception {
    List<FieldError> errors = validate(
        "{\"name\":\"api\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"a\",\"port\":15006},{\"name\":\"b\",\"port\":15001}]}", SIDECAR);
    assertThat(errors).extracting(FieldError::pointer).containsExactly("/listeners/0/port", "/listeners/1/port");
    assertThat(errors).extracting(FieldError::detail)
        .anySatisfy(d -> assertThat(d).contains("gateway orders (sidecar inbound listener)"))
        .anySatisfy(d -> assertThat(d).contains("gateway orders (sidecar outbound listener)"));
  }

  @Test
  void aSidecarWhoseInboundPortAPeerListenerTakesIsRefusedAtItsOwnPointer() throws Exception {
    String sidecar = SIDECAR.replace("15006", "10000");
    assertThat(validate(sidecar, EDGE)).extracting(FieldError::pointer).containsExactly("/sidecar/inbound/port");
  }

  @Test
  void aListenerOnThePortAPeerSidecarsAppHoldsIsRefused() throws Exception {
    List<FieldError> errors = validate("{\"name\":\"api\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"web\",\"port\":8080}]}", SIDECAR);
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.pointer()).isEqualTo("/listeners/0/port");
      assertThat(e.detail()).contains("the port its sidecar's app listens on");
    });
  }

  @Test
  void twoSidecarAppsOnOnePortAreNoEnvoyConflict() throws Exception {
    String other = SIDECAR.replace("orders", "billing").replace("15006", "15106").replace("15001", "15101");
    assertThat(validate(other, SIDECAR)).isEmpty();
  }

  @Test
  void withinOneGatewayTwoListenersOnOnePortAreRefused() throws Exception {
    List<FieldError> errors = ResourceValidator.validate(gateway(
        "{\"name\":\"api\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"a\",\"port\":10000},{\"name\":\"b\",\"port\":10000}]}"));
    assertThat(errors).extracting(FieldError::pointer).containsExactly("/listeners/1");
  }

  @Test
  void withinOneSidecarAListenerOnTheAppsPortIsRefused() throws Exception {
    String sidecar = """
        {"name":"orders","nodeGroup":"mesh","listeners":[{"name":"web","port":8080}],"sidecar":{"inbound":{"port":15006,"appPort":8080}}}""";
    assertThat(ResourceValidator.validate(gateway(sidecar))).extracting(FieldError::pointer).containsExactly("/sidecar/inbound/appPort");
    String outbound = SIDECAR.replace("15001", "8080");
    assertThat(ResourceValidator.validate(gateway(outbound))).extracting(FieldError::pointer).containsExactly("/sidecar/outbound/port");
  }
}
