package dev.embassy.discovery;

import java.util.List;

/**
 * Receives the full current instance list of a query (sorted by node, then id). Called only when
 * the list changed, with the latest list when several changes came in quickly (coalesced), one
 * call at a time per listener, never on the watch loop's thread. Never called with an empty list
 * because of an error: an empty list is the registry's real answer.
 */
@FunctionalInterface
public interface InstancesListener {
  void instancesChanged(ServiceQuery query, List<ServiceInstance> instances);
}
