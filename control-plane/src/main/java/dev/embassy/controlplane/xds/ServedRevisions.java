package dev.embassy.controlplane.xds;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;

/**
 * Which resource versions each node group was served for each recent config revision. With it,
 * the versions a proxy ACKed translate back into the revision it runs: the answer to "has my
 * change reached the Envoys?".
 */
public final class ServedRevisions {
  private static final int KEPT = 512;

  private record Entry(long revision, Map<String, Map<String, String>> versionsByGroup) {}

  private final Deque<Entry> entries = new ArrayDeque<>();

  /** The newest revision recorded; -1 before the first. */
  public synchronized long latest() {
    return entries.isEmpty() ? -1 : entries.getFirst().revision();
  }

  /** Records that {@code revision} is served with these versions: node group → type URL → version. */
  public synchronized void record(long revision, Map<String, Map<String, String>> versionsByGroup) {
    entries.addFirst(new Entry(revision, Map.copyOf(versionsByGroup)));
    while (entries.size() > KEPT) {
      entries.removeLast();
    }
  }

  /**
   * The newest revision whose versions for {@code group} equal what the proxy ACKed, for every
   * type the proxy has been sent; -1 if none of the recent revisions matches. A revision that did
   * not change the group's resources matches as soon as the previous one did.
   */
  public synchronized long appliedRevision(String group, Map<String, String> acked, Iterable<String> typesSent) {
    for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
      Entry entry = it.next();
      Map<String, String> versions = entry.versionsByGroup().get(group);
      if (versions != null && matches(versions, acked, typesSent)) {
        return entry.revision();
      }
    }
    return -1;
  }

  private static boolean matches(Map<String, String> versions, Map<String, String> acked, Iterable<String> typesSent) {
    boolean any = false;
    for (String type : typesSent) {
      any = true;
      if (!java.util.Objects.equals(versions.get(type), acked.get(type))) {
        return false;
      }
    }
    return any;
  }
}
