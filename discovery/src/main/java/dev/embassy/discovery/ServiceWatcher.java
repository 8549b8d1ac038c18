package dev.embassy.discovery;

import java.util.Set;

/** Follows the registry: watches of the services asked for, and of the catalog. */
public interface ServiceWatcher extends AutoCloseable {
  /**
   * Starts (or joins) a blocking-query watch; the listener gets the current list as soon as it is
   * known, then every change. Equal queries share one watch; it stops when its last handle closes.
   */
  WatchHandle watch(ServiceQuery query, InstancesListener listener);

  /** Services that exist in the catalog right now (the catalog watch), for services that appear later. */
  Set<String> knownServices();

  /** Calls the listener with the catalog's service names as soon as known, then on every change. */
  WatchHandle watchCatalog(CatalogListener listener);

  /** Per-query last successful sync and errors, and the overall degraded flag. */
  WatcherHealth health();

  /** Stops every watch; handles still open become no-ops. */
  @Override
  void close();
}
