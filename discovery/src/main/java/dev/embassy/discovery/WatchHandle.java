package dev.embassy.discovery;

/** One listener's interest in a watch. Closing it twice is harmless. */
public interface WatchHandle extends AutoCloseable {
  /** Stops calling the listener; the watch itself stops when nothing references it any more. */
  @Override
  void close();
}
