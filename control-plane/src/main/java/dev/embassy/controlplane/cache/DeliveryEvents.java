package dev.embassy.controlplane.cache;

import java.util.List;
import java.util.SortedMap;

/**
 * What the cache learns from proxies' answers, for whoever must act on them beyond the cache
 * itself (the route quarantine). Called on gRPC threads, outside every proxy's monitor: an
 * implementation must return quickly and hand real work to its own thread.
 */
public interface DeliveryEvents {
  /**
   * A proxy of {@code group} rejected a response of {@code type} for {@code detail}.
   *
   * @param rejected the resources of that response the proxy did not hold before (what can be blamed)
   * @param held what the proxy held of {@code type} before the response, by name
   */
  void rejected(String group, String proxyId, XdsType type, List<XdsResource> rejected, SortedMap<String, XdsResource> held, String detail);

  /** A proxy of {@code group} ACKed a response: it now holds {@code view} of {@code type}. */
  void accepted(String group, XdsType type, SortedMap<String, XdsResource> view);

  DeliveryEvents NONE = new DeliveryEvents() {
    @Override
    public void rejected(String group, String proxyId, XdsType type, List<XdsResource> rejected, SortedMap<String, XdsResource> held,
        String detail) {}

    @Override
    public void accepted(String group, XdsType type, SortedMap<String, XdsResource> view) {}
  };
}
