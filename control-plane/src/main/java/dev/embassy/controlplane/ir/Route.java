package dev.embassy.controlplane.ir;

/** Sends requests whose path starts with {@code pathPrefix} to {@code cluster}. */
public record Route(String name, String pathPrefix, String cluster) {
  public Route {
    Names.require("route name", name);
    Names.require("route " + name + " cluster", cluster);
    if (!pathPrefix.startsWith("/")) {
      throw new IllegalArgumentException("route " + name + ": path prefix must start with '/'");
    }
  }
}
