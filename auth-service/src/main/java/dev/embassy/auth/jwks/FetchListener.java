package dev.embassy.auth.jwks;

/** Told about every fetch, for metrics. */
@FunctionalInterface
public interface FetchListener {
  void fetched(KeySource source, FetchTrigger trigger, boolean ok);
}
