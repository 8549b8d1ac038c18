package dev.embassy.discovery;

/** The registry could not be reached, or refused a request. The message never holds a token. */
public class DiscoveryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DiscoveryException(String message, Throwable cause) {
    super(message, cause);
  }

  public DiscoveryException(String message) {
    super(message);
  }
}
