package dev.embassy.config.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sliding-window limits for a rate-limit domain, with the descriptor semantics of
 * envoyproxy/ratelimit: nested descriptors, the most specific match wins.
 */
public record RateLimitPolicy(
    String name,
    Map<String, String> labels,
    String domain,
    List<Descriptor> descriptors,
    FailureMode failureMode,
    String timeout)
    implements ConfigResource {
  public RateLimitPolicy {
    labels = Absent.map(labels);
    descriptors = Absent.list(descriptors);
    failureMode = Absent.or(failureMode, FailureMode.open);
    timeout = Absent.or(timeout, "20ms");
  }

  @Override
  public ResourceKind kind() {
    return ResourceKind.RATELIMIT_POLICY;
  }

  @Override
  public List<Reference> references() {
    return List.of();
  }

  /** Whether Envoy lets a request through (open) or rejects it (closed) when limits cannot be checked. */
  public enum FailureMode { open, closed }

  /** Matches one descriptor entry by key and, optionally, value ({@code *} wildcards allowed). */
  public record Descriptor(
      String key, Optional<String> value, Optional<Limit> limit, Boolean shadowMode, List<Descriptor> descriptors) {
    public Descriptor {
      value = Absent.optional(value);
      limit = Absent.optional(limit);
      shadowMode = Absent.or(shadowMode, false);
      descriptors = Absent.list(descriptors);
    }
  }

  /** {@code requests} per sliding {@code window}; or {@code unlimited}. */
  public record Limit(Long requests, String window, Boolean unlimited, Optional<String> name) {
    public Limit {
      unlimited = Absent.or(unlimited, false);
      name = Absent.optional(name);
    }
  }
}
