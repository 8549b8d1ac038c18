package dev.embassy.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.controlplane.cache.GroupSnapshot;
import dev.embassy.controlplane.cache.XdsCache;
import dev.embassy.controlplane.cache.XdsResource;
import dev.embassy.controlplane.cache.XdsType;
import dev.embassy.controlplane.translate.StaticBootstrap;
import dev.embassy.controlplane.translate.XdsResources;
import dev.embassy.testsupport.EnvoyProcess;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.List;

/**
 * What a control plane actually serves a node group, rendered as a static bootstrap and put
 * through a real {@code envoy --mode validate}: the end-to-end tests end with it, so config that
 * only arises at run time (discovered endpoints, NACK fallbacks, sidecars) is checked the way the
 * golden files are.
 */
final class ServedConfigValidation {
  private ServedConfigValidation() {}

  static void assertEnvoyAccepts(ControlPlane controlPlane, String group) throws Exception {
    assertEnvoyAccepts(controlPlane.cache(), group);
  }

  static void assertEnvoyAccepts(XdsCache cache, String group) throws Exception {
    GroupSnapshot served = cache.served(group).orElseThrow();
    XdsResources resources = new XdsResources(group,
        messages(served, XdsType.LISTENER, Listener.class), messages(served, XdsType.ROUTE, RouteConfiguration.class),
        messages(served, XdsType.CLUSTER, Cluster.class), messages(served, XdsType.ENDPOINT, ClusterLoadAssignment.class),
        messages(served, XdsType.SECRET, Secret.class));
    EnvoyProcess.Validation validation = EnvoyProcess.validate(StaticBootstrap.render(resources));
    assertThat(validation.accepted()).as("envoy --mode validate of what node group " + group + " is served:\n" + validation.output()).isTrue();
  }

  private static <T> List<T> messages(GroupSnapshot snapshot, XdsType type, Class<T> kind) {
    return snapshot.resources(type).values().stream().map(XdsResource::message).map(kind::cast).toList();
  }
}
