package dev.embassy.controlplane.ir;

import java.util.List;

/**
 * Everything one node group of Envoys (or of proxyless gRPC clients) receives, in the control plane's intermediate model: the
 * config store's resources resolved and ordered the way Envoy needs them. The translator reads
 * only this; the builder is the only thing that reads the store's model.
 */
public record NodeGroupConfig(String nodeGroup, List<HttpListener> listeners, List<ClientListener> clientListeners, List<UpstreamCluster> clusters) {
  public NodeGroupConfig {
    listeners = List.copyOf(listeners);
    clientListeners = List.copyOf(clientListeners);
    clusters = List.copyOf(clusters);
  }
}
