package dev.embassy.ratelimit.cluster;

import java.util.Set;

/**
 * The nodes that may take part in the cluster, as a registry or a static list says; whether each
 * is actually reachable is {@link PeerProber}'s business. Always includes this node.
 */
public interface Membership extends AutoCloseable {
  Set<Member> candidates();

  /** Called after {@link #candidates()} changed. */
  void onChange(Runnable listener);

  /** False while the registry cannot be read (the last known candidates are kept meanwhile). */
  boolean healthy();

  /** For health output: "static" or "consul". */
  String describe();

  @Override
  void close();
}
