package dev.embassy.controlplane.translate;

import dev.embassy.controlplane.ir.HttpListener;
import dev.embassy.controlplane.ir.UpstreamCluster;
import dev.embassy.controlplane.translate.XdsTranslator.ClusterResources;
import dev.embassy.controlplane.translate.XdsTranslator.ListenerResources;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The previous translation of each listener and cluster, reused when its IR is equal: so a route
 * change re-translates one listener, an endpoint change one cluster, and everything else keeps its
 * message instances (which the cache then recognises without comparing or hashing them).
 *
 * <p>Comparing IR values is cheap because the store hands unchanged resources back as the same
 * objects, and record equality checks identity first. One memo per pipeline; not thread-safe.
 */
public final class TranslationMemo {
  /** Translates every time. */
  public static final TranslationMemo NONE = new TranslationMemo(false);

  private record Remembered<I, O>(I input, O output) {}

  private final boolean enabled;
  private Map<String, Remembered<HttpListener, ListenerResources>> listeners = new HashMap<>();
  private Map<String, Remembered<UpstreamCluster, ClusterResources>> clusters = new HashMap<>();
  private Map<String, Remembered<HttpListener, ListenerResources>> nextListeners = new HashMap<>();
  private Map<String, Remembered<UpstreamCluster, ClusterResources>> nextClusters = new HashMap<>();

  private TranslationMemo(boolean enabled) {
    this.enabled = enabled;
  }

  public static TranslationMemo create() {
    return new TranslationMemo(true);
  }

  ListenerResources listener(String group, HttpListener listener, Function<HttpListener, ListenerResources> translate) {
    return enabled ? remember(listeners, nextListeners, group + "/" + listener.name(), listener, translate) : translate.apply(listener);
  }

  ClusterResources cluster(String group, UpstreamCluster cluster, Function<UpstreamCluster, ClusterResources> translate) {
    return enabled ? remember(clusters, nextClusters, group + "/" + cluster.name(), cluster, translate) : translate.apply(cluster);
  }

  /**
   * Ends a translation round: what was not asked for in it is forgotten, so the memo never holds
   * more than one config's worth of resources.
   */
  public void endRound() {
    if (!enabled) {
      return;
    }
    listeners = nextListeners;
    clusters = nextClusters;
    nextListeners = new HashMap<>();
    nextClusters = new HashMap<>();
  }

  private static <I, O> O remember(Map<String, Remembered<I, O>> previous, Map<String, Remembered<I, O>> next, String key, I input,
      Function<I, O> translate) {
    Remembered<I, O> earlier = previous.get(key);
    Remembered<I, O> now = earlier != null && earlier.input().equals(input) ? earlier : new Remembered<>(input, translate.apply(input));
    next.put(key, now);
    return now.output();
  }
}
