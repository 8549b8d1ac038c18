package dev.embassy.controlplane.xds;

import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Stops the NACK loop. After a NACK, Envoy asks again with its last accepted version, which differs
 * from the snapshot's, so java-control-plane's cache answers at once with the very version Envoy
 * just rejected, forever. Here a NACKed request is turned into a request "at" the rejected version:
 * the cache then waits, and answers only when a new version is published.
 */
public final class NackAwareConfigWatcher implements ConfigWatcher {
  private final ConfigWatcher delegate;
  private final ProxyRegistry proxies;

  public NackAwareConfigWatcher(ConfigWatcher delegate, ProxyRegistry proxies) {
    this.delegate = delegate;
    this.proxies = proxies;
  }

  @Override
  public Watch createWatch(boolean ads, XdsRequest request, Set<String> knownResourceNames, Consumer<Response> responseConsumer,
      boolean hasClusterChanged, boolean allowDefaultEmptyEdsUpdate) {
    XdsRequest effective = request;
    if (request.hasErrorDetail()) {
      String proxy = request.v3Request().getNode().getId();
      effective = proxies.lastSentVersion(proxy, request.getTypeUrl())
          .map(rejected -> XdsRequest.create(request.v3Request().toBuilder().setVersionInfo(rejected).build()))
          .orElse(request);
    }
    return delegate.createWatch(ads, effective, knownResourceNames, responseConsumer, hasClusterChanged, allowDefaultEmptyEdsUpdate);
  }

  @Override
  public DeltaWatch createDeltaWatch(DeltaXdsRequest request, String requesterVersion, Map<String, String> resourceVersions,
      Set<String> pendingResources, boolean isWildcard, Consumer<DeltaResponse> responseConsumer, boolean hasClusterChanged) {
    return delegate.createDeltaWatch(request, requesterVersion, resourceVersions, pendingResources, isWildcard, responseConsumer, hasClusterChanged);
  }
}
