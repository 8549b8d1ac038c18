package dev.embassy.ratelimit.config;

/** Where policies come from: the config store, or a directory of envoyproxy/ratelimit files. */
public interface PolicySource extends AutoCloseable {
  /** False while the source cannot be read; the last policies keep being enforced meanwhile. */
  boolean healthy();

  /** For health output: "store", or "files:/path". */
  String describe();

  @Override
  void close();
}
