package dev.embassy.controlplane.translate;

import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.UpstreamCluster;
import dev.embassy.controlplane.translate.XdsTranslator.ClusterResources;
import dev.embassy.controlplane.translate.XdsTranslator.ListenerResources;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The previous translation of each listener and cluster of each node group, reused when its IR is
 * equal: so a route change re-translates one listener, an endpoint change one cluster, and
 * everything else keeps its message instances (which the cache then recognises without comparing or
 * hashing them).
 *
 * <p>Comparing IR values is cheap because the store hands unchanged resources back as the same
 * objects, and record equality checks identity first. One memo per pipeline; not thread-safe.
 */
public final class TranslationMemo {
  /** Translates every time. */
  public static final TranslationMemo NONE = new TranslationMemo(false);

  private record Remembered<I, O>(I input, O output) {}

  /** One node group's entries: the last translation's, and the one being made. */
  private static final class Group {
    Map<String, Remembered<HttpListener, ListenerResources>> listeners = new HashMap<>();
    Map<String, Remembered<UpstreamCluster, ClusterResources>> clusters = new HashMap<>();
    Map<String, Remembered<HttpListener, ListenerResources>> nextListeners = new HashMap<>();
    Map<String, Remembered<UpstreamCluster, ClusterResources>> nextClusters = new HashMap<>();
  }

  private final boolean enabled;
  private final Map<String, Group> groups = new HashMap<>();

  private TranslationMemo(boolean enabled) {
    this.enabled = enabled;
  }

  public static TranslationMemo create() {
    return new TranslationMemo(true);
  }

  ListenerResources listener(String group, HttpListener listener, Function<HttpListener, ListenerResources> translate) {
    if (!enabled) {
      return translate.apply(listener);
    }
    Group entries = groups.computeIfAbsent(group, g -> new Group());
    return remember(entries.listeners, entries.nextListeners, listener.name(), listener, translate);
  }

  ClusterResources cluster(String group, UpstreamCluster cluster, Function<UpstreamCluster, ClusterResources> translate) {
    if (!enabled) {
      return translate.apply(cluster);
    }
    Group entries = groups.computeIfAbsent(group, g -> new Group());
    return remember(entries.clusters, entries.nextClusters, cluster.name(), cluster, translate);
  }

  /**
   * Ends the translation of {@code group}: what was not asked for in it is forgotten, so the memo
   * holds at most one config's worth of resources per group.
   */
  public void translated(String group) {
    Group entries = groups.get(group);
    if (entries == null) {
      return;
    }
    entries.listeners = entries.nextListeners;
    entries.clusters = entries.nextClusters;
    entries.nextListeners = new HashMap<>();
    entries.nextClusters = new HashMap<>();
  }

  /** Forgets a node group that no longer exists. */
  public void forget(String group) {
    groups.remove(group);
  }

  private static <I, O> O remember(Map<String, Remembered<I, O>> previous, Map<String, Remembered<I, O>> next, String key, I input,
      Function<I, O> translate) {
    Remembered<I, O> earlier = previous.get(key);
    Remembered<I, O> now = earlier != null && earlier.input().equals(input) ? earlier : new Remembered<>(input, translate.apply(input));
    next.put(key, now);
    return now.output();
  }
}
