package dev.embassy.auth.jwks;

/** A discovery or JWKS fetch failed; the message says why, for logs and /healthz. */
public final class JwksFetchException extends Exception {
  public JwksFetchException(String message) {
    super(message);
  }

  public JwksFetchException(String message, Throwable cause) {
    super(message, cause);
  }
}
