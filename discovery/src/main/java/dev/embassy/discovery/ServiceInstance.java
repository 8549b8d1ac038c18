package dev.embassy.discovery;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One healthy (or degraded) instance of a service, as the registry reports it. Critical instances
 * are never reported. The metas are exposed raw; {@link InstanceMetadata} names the keys Embassy
 * reads from them (weight, locality), and the control plane maps them.
 *
 * @param id the registry's service instance id (unique per agent)
 * @param address the service address, or the node address when the instance registered none
 * @param datacenter the datacenter the instance lives in
 */
public record ServiceInstance(
    String id, String service, String node, String address, int port,
    List<String> tags, Map<String, String> serviceMeta, Map<String, String> nodeMeta,
    String datacenter, InstanceHealth health) {

  public ServiceInstance {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(datacenter, "datacenter");
    Objects.requireNonNull(health, "health");
    tags = List.copyOf(tags);
    serviceMeta = Map.copyOf(serviceMeta);
    nodeMeta = Map.copyOf(nodeMeta);
  }
}
