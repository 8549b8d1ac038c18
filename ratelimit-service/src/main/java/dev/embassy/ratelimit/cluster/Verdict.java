package dev.embassy.ratelimit.cluster;

import dev.embassy.ratelimit.window.Decision;

/** What became of one hit: a decision by the key's owner, or no owner reachable in time. */
public sealed interface Verdict {
  record Counted(Decision decision) implements Verdict {}

  /** The policy's failure mode decides; {@code reason} is for logs and metrics. */
  record OwnerUnreachable(String owner, String reason) implements Verdict {}
}
