package dev.embassy.controlplane.ir;

import java.util.List;

/** An HTTP listener on {@code address:port} with its routes, evaluated in order. */
public record HttpListener(String name, String address, int port, List<Route> routes) {
  public HttpListener {
    Names.require("listener name", name);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("listener " + name + ": port " + port + " is outside 1-65535");
    }
    routes = List.copyOf(routes);
  }
}
