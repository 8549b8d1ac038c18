package dev.embassy.discovery;

import java.util.Set;

/** Receives the names of the services in the catalog when they change; coalesced like {@link InstancesListener}. */
@FunctionalInterface
public interface CatalogListener {
  void servicesChanged(Set<String> services);
}
