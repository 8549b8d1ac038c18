package dev.embassy.discovery.consul;

/**
 * The {@code index} to send with the next blocking query, following Consul's blocking-query rules
 * (docs, "Blocking Queries", implementation details):
 *
 * <ul>
 *   <li>An index of 0 or less is never trusted: Consul versions have returned 0, and sending it
 *       back makes every query return at once, forever. Use 1, which still blocks.</li>
 *   <li>An index smaller than the one sent means the state store was reset (snapshot restore, a
 *       new leader's data, or a restarted dev agent). Waiting for our larger index would block
 *       until the wait elapses while the registry has changed, so start over with 0: a
 *       non-blocking full read.</li>
 *   <li>An equal index is a timed-out wait with nothing new; a larger one is not necessarily a
 *       change for us (the caller compares results).</li>
 * </ul>
 */
final class BlockingIndex {
  private BlockingIndex() {}

  static long next(long sent, long returned) {
    if (returned <= 0) {
      return 1;
    }
    if (returned < sent) {
      return 0;
    }
    return returned;
  }
}
