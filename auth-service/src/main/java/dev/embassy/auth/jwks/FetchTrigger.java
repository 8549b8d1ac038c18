package dev.embassy.auth.jwks;

/** Why keys were fetched; a metric label. */
public enum FetchTrigger {
  STARTUP, REFRESH, UNKNOWN_KID;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
