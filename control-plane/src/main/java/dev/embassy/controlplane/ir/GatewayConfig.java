package dev.embassy.controlplane.ir;

import java.util.List;

/**
 * Everything one node group of Envoys receives, in the control plane's intermediate model: the
 * shape between the config store and Envoy's protos. The translator reads only this.
 */
public record GatewayConfig(String nodeGroup, List<HttpListener> listeners, List<Cluster> clusters) {
  public GatewayConfig {
    Names.require("nodeGroup", nodeGroup);
    listeners = List.copyOf(listeners);
    clusters = List.copyOf(clusters);
  }
}
