package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.Cluster;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Consul Connect opt-ins: their shape, and that only a gateway with an identity calls a Connect cluster. */
class ConnectRulesTest {
  private static final String API = "{\"name\":\"api\",\"discovery\":{\"static\":{\"endpoints\":[{\"address\":\"127.0.0.1\",\"port\":21000}]}},"
      + "\"connect\":{\"service\":\"api\"}}";
  private static final String PLAIN = "{\"name\":\"plain\",\"discovery\":{\"static\":{\"endpoints\":[{\"address\":\"127.0.0.1\",\"port\":8080}]}}}";

  private record View(List<ConfigResource> resources) implements ConfigView {
    @Override
    public boolean exists(ResourceKind kind, String name) {
      return find(kind, name).isPresent();
    }

    @Override
    public Optional<Gateway> gateway(String name) {
      return find(ResourceKind.GATEWAY, name).map(Gateway.class::cast);
    }

    @Override
    public Optional<ConfigResource> find(ResourceKind kind, String name) {
      return resources.stream().filter(r -> r.kind() == kind && r.name().equals(name)).findFirst();
    }

    @Override
    public List<Route> routesReferring(ResourceKind kind, String name) {
      return resources.stream().filter(r -> r instanceof Route route && route.references().stream()
          .anyMatch(ref -> ref.kind() == kind && ref.name().equals(name))).map(Route.class::cast).toList();
    }

    @Override
    public List<Gateway> nodeGroupPeers(String nodeGroup, String gateway) {
      return resources.stream().filter(r -> r instanceof Gateway g && g.nodeGroup().equals(nodeGroup) && !g.name().equals(gateway))
          .map(Gateway.class::cast).toList();
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

  private static <T> T read(String json, Class<T> type) throws Exception {
    return ConfigJson.json().readValue(json, type);
  }

  private static String sidecar(String name, String connect) {
    return "{\"name\":\"" + name + "\",\"nodeGroup\":\"" + name + "\",\"sidecar\":{\"inbound\":{\"port\":15006,\"appPort\":8080},"
        + "\"outbound\":{\"port\":15001,\"clusters\":[\"api\",\"plain\"]}" + connect + "}}";
  }

  private static List<FieldError> validate(ConfigResource resource, ConfigResource... others) throws Exception {
    List<ConfigResource> all = new java.util.ArrayList<>(List.of(others));
    all.add(resource);
    List<FieldError> errors = new java.util.ArrayList<>(ResourceValidator.validate(resource));
    errors.addAll(ConfigValidator.validate(resource, new View(all)));
    return errors;
  }

  @Test
  void aSidecarWithAnIdentityMayCallAConnectCluster() throws Exception {
    assertThat(validate(read(sidecar("web", ",\"connect\":{\"service\":\"web\"}"), Gateway.class), read(API, Cluster.class), read(PLAIN, Cluster.class)))
        .isEmpty();
  }

  @Test
  void aSidecarWithoutAnIdentityCallingAConnectClusterIsRefusedAtTheClusterEntry() throws Exception {
    assertThat(validate(read(sidecar("web", ""), Gateway.class), read(API, Cluster.class), read(PLAIN, Cluster.class)))
        .singleElement().satisfies(e -> {
          assertThat(e.pointer()).isEqualTo("/sidecar/outbound/clusters/0");
          assertThat(e.detail()).contains("Connect cluster", "sidecar.connect");
        });
  }

  @Test
  void badServiceNamesAreRefusedAtTheirPointer() throws Exception {
    assertThat(validate(read(sidecar("web", ",\"connect\":{\"service\":\"web/../x\"}"), Gateway.class), read(API, Cluster.class),
        read(PLAIN, Cluster.class))).extracting(FieldError::pointer).containsExactly("/sidecar/connect/service");
    assertThat(validate(read(sidecar("web", ",\"connect\":{}"), Gateway.class), read(API, Cluster.class), read(PLAIN, Cluster.class)))
        .extracting(FieldError::pointer).containsExactly("/sidecar/connect/service");
  }

  @Test
  void aConnectClusterTakesNoTlsOfItsOwn() throws Exception {
    Cluster cluster = read(API.replace("\"connect\"", "\"tls\":{\"sni\":\"api\"},\"connect\""), Cluster.class);
    assertThat(validate(cluster)).extracting(FieldError::pointer).containsExactly("/tls");
  }

  @Test
  void aRouteOfAGatewayWithoutAnIdentityMayNotSendToAConnectCluster() throws Exception {
    Gateway edge = read("{\"name\":\"edge\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"http\",\"port\":10000}]}", Gateway.class);
    Route route = read("{\"name\":\"r\",\"gateway\":\"edge\",\"rules\":[{\"backendRefs\":[{\"cluster\":\"plain\"},{\"cluster\":\"api\"}]}]}", Route.class);
    assertThat(validate(route, edge, read(API, Cluster.class), read(PLAIN, Cluster.class)))
        .extracting(FieldError::pointer).containsExactly("/rules/0/backendRefs/1/cluster");
  }

  @Test
  void aClusterBecomesAConnectClusterOnlyWhenNoRouteOfAGatewayWithoutIdentitySendsToIt() throws Exception {
    Gateway edge = read("{\"name\":\"edge\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"http\",\"port\":10000}]}", Gateway.class);
    Route route = read("{\"name\":\"r\",\"gateway\":\"edge\",\"rules\":[{\"backendRefs\":[{\"cluster\":\"api\"}]}]}", Route.class);
    assertThat(validate(read(API, Cluster.class), edge, route)).extracting(FieldError::pointer).containsExactly("/connect");
  }

  @Test
  void anEdgeGatewayWithAnIdentityMaySendToAConnectCluster() throws Exception {
    Gateway edge = read("{\"name\":\"edge\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"http\",\"port\":10000}],"
        + "\"connect\":{\"service\":\"edge\"}}", Gateway.class);
    Route route = read("{\"name\":\"r\",\"gateway\":\"edge\",\"rules\":[{\"backendRefs\":[{\"cluster\":\"api\"}]}]}", Route.class);
    assertThat(validate(edge)).isEmpty();
    assertThat(validate(route, edge, read(API, Cluster.class))).isEmpty();
  }

  @Test
  void aSidecarTakesItsIdentityInSidecarConnectOnly() throws Exception {
    Gateway gateway = read(sidecar("web", ",\"connect\":{\"service\":\"web\"}").replaceFirst("\\}\\}$", "},\"connect\":{\"service\":\"web\"}}"),
        Gateway.class);
    assertThat(validate(gateway, read(API, Cluster.class), read(PLAIN, Cluster.class))).extracting(FieldError::pointer).containsExactly("/connect");
  }

  @Test
  void twoIdentitiesInOneNodeGroupAreRefused() throws Exception {
    Gateway web = read(sidecar("web", ",\"connect\":{\"service\":\"web\"}"), Gateway.class);
    Gateway other = read(sidecar("other", ",\"connect\":{\"service\":\"other\"}").replace("\"nodeGroup\":\"other\"", "\"nodeGroup\":\"web\"")
        .replace("15006", "16006").replace("15001", "16001").replace("8080", "9090"), Gateway.class);
    assertThat(validate(other, web, read(API, Cluster.class), read(PLAIN, Cluster.class)))
        .extracting(FieldError::pointer).containsExactly("/sidecar/connect/service");
  }
}
