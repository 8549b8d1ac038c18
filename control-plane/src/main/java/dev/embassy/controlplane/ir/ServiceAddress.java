package dev.embassy.controlplane.ir;

/** Where Envoy reaches one of Embassy's own gRPC services (auth-service, ratelimit-service). */
public record ServiceAddress(String host, int port) {
  public ServiceAddress {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("service address needs a host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("service port " + port + " is outside 1-65535");
    }
  }

  /** Parses {@code host:port}. */
  public static ServiceAddress parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' is not host:port");
    }
    try {
      return new ServiceAddress(text.substring(0, colon).strip(), Integer.parseInt(text.substring(colon + 1).strip()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not host:port", e);
    }
  }

  /** Parses a comma-separated list of {@code host:port}. */
  public static java.util.List<ServiceAddress> parseList(String text) {
    return java.util.Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).map(ServiceAddress::parse).toList();
  }
}
