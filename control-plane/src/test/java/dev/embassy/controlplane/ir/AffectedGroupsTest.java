package dev.embassy.controlplane.ir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.ConfigResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AffectedGroupsTest {
  private static final String BASE = """
      certificates: [{name: ca, certificateChain: "x"}]
      clusters:
        - {name: a, discovery: {static: {endpoints: [{address: 127.0.0.1, port: 1}]}}}
        - {name: b, discovery: {static: {endpoints: [{address: 127.0.0.1, port: 2}]}}, tls: {caCertificateRef: ca}}
      authPolicies: [{name: unused, apiKeys: {keys: [{name: k, sha256: "%s"}]}}]
      gateways:
        - {name: ga, nodeGroup: group-a, listeners: [{name: http, port: 1000}]}
        - {name: gb, nodeGroup: group-b, listeners: [{name: http, port: 2000}]}
      routes:
        - {name: ra, gateway: ga, rules: [{backendRefs: [{cluster: a}]}]}
        - {name: rb, gateway: gb, rules: [{backendRefs: [{cluster: b}]}]}
      """.formatted("0".repeat(64));

  @Test
  void aRouteChangeAffectsOnlyItsGatewaysGroup() throws Exception {
    ConfigDocument before = parse(BASE);
    ConfigDocument after = replace(before, parse(BASE.replace("cluster: a}]}]}", "cluster: a, weight: 2}]}]}")).routes().getFirst());
    assertThat(AffectedGroups.between(before, after)).contains(Set.of("group-a"));
  }

  @Test
  void aClusterOrCertificateChangeAffectsTheGroupsThatRouteToIt() throws Exception {
    ConfigDocument before = parse(BASE);
    ConfigDocument cluster = replace(before, parse(BASE.replace("port: 2}", "port: 3}")).clusters().get(1));
    assertThat(AffectedGroups.between(before, cluster)).contains(Set.of("group-b"));
    ConfigDocument certificate = replace(before, parse(BASE.replace("certificateChain: \"x\"", "certificateChain: \"y\"")).certificates().getFirst());
    assertThat(AffectedGroups.between(before, certificate)).as("through the cluster that trusts it").contains(Set.of("group-b"));
  }

  @Test
  void movingAGatewayAffectsTheGroupItLeavesAndTheOneItJoins() throws Exception {
    ConfigDocument before = parse(BASE);
    ConfigDocument after = replace(before, parse(BASE.replace("nodeGroup: group-a", "nodeGroup: group-c")).gateways().getFirst());
    assertThat(AffectedGroups.between(before, after)).contains(Set.of("group-a", "group-c"));
  }

  @Test
  void anUnreferencedPolicyAffectsNoGroupAndAFirstLoadAffectsAll() throws Exception {
    ConfigDocument before = parse(BASE);
    ConfigDocument after = replace(before, parse(BASE.replace("name: k,", "name: j,")).authPolicies().getFirst());
    assertThat(AffectedGroups.between(before, after)).contains(Set.of());
    assertThat(AffectedGroups.between(null, before)).isEmpty();
  }

  private static ConfigDocument parse(String yaml) throws Exception {
    return ConfigJson.yaml().readValue(yaml, ConfigDocument.class);
  }

  /** {@code before} with one resource replaced by a new object, the others kept as the same objects (as the store does). */
  private static ConfigDocument replace(ConfigDocument before, ConfigResource changed) {
    List<ConfigResource> resources = new ArrayList<>();
    for (ConfigResource resource : before.all()) {
      resources.add(resource.kind() == changed.kind() && resource.name().equals(changed.name()) ? changed : resource);
    }
    return ConfigDocument.of(resources);
  }
}
