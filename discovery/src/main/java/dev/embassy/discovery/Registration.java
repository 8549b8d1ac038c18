package dev.embassy.discovery;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** A service instance to register with the local agent, with an optional health check. */
public record Registration(
    String id, String service, String address, int port, List<String> tags,
    Map<String, String> meta, Optional<HealthCheck> check) {

  public Registration {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(address, "address");
    if (id.isBlank() || service.isBlank()) {
      throw new IllegalArgumentException("id and service must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
    }
    tags = List.copyOf(tags);
    meta = Map.copyOf(meta);
    Objects.requireNonNull(check, "check");
  }
}
