package dev.embassy.controlplane.ir;

/** One upstream address of a cluster. */
public record Endpoint(String address, int port) {
  public Endpoint {
    if (address.isBlank()) {
      throw new IllegalArgumentException("endpoint address is blank");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("endpoint " + address + ": port " + port + " is outside 1-65535");
    }
  }
}
