package dev.embassy.config.validate;

import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.model.RateLimitPolicy.Descriptor;
import java.time.Duration;
import java.util.List;

final class RateLimitPolicyRules {
  private static final int MAX_DEPTH = 8;
  private static final Duration MAX_WINDOW = Duration.ofDays(1);

  private RateLimitPolicyRules() {}

  static void check(RateLimitPolicy policy, Violations v) {
    if (Checks.required(v, "domain", policy.domain()) && !policy.domain().matches("[A-Za-z0-9_.-]{1,128}")) {
      v.add("domain", "must be 1-128 letters, digits, '_', '.' or '-'");
    }
    Checks.required(v, "descriptors", policy.descriptors());
    descriptors(policy.descriptors(), v, 1);
    // Envoy's rate-limit filter timeout; the service must answer well inside it.
    Checks.duration(v, "timeout", policy.timeout(), Duration.ofSeconds(1));
  }

  private static void descriptors(List<Descriptor> descriptors, Violations v, int depth) {
    if (depth > MAX_DEPTH) {
      v.here("descriptors nest at most " + MAX_DEPTH + " deep");
      return;
    }
    Checks.maxSize(v, "descriptors", descriptors, 256);
    Checks.unique(v, "descriptors", descriptors, d -> d.key() + "=" + d.value().orElse(""), "duplicate descriptor");
    for (int i = 0; i < descriptors.size(); i++) {
      Descriptor descriptor = descriptors.get(i);
      Violations at = v.at("descriptors", i);
      if (Checks.required(at, "key", descriptor.key()) && descriptor.key().length() > 256) {
        at.add("key", "at most 256 characters");
      }
      descriptor.value().ifPresent(value -> {
        if (value.isEmpty() || value.length() > 1024) {
          at.add("value", "must be 1-1024 characters");
        }
      });
      descriptor.limit().ifPresent(limit -> {
        Violations l = at.at("limit");
        if (limit.unlimited()) {
          if (limit.requests() != null || limit.window() != null) {
            l.here("an unlimited limit takes no requests or window");
          }
        } else {
          if (Checks.required(l, "requests", limit.requests())) {
            Checks.range(l, "requests", limit.requests(), 0, 1_000_000_000L);
          }
          Checks.duration(l, "window", limit.window(), MAX_WINDOW);
        }
        limit.name().ifPresent(name -> Checks.name(l, "name", name));
      });
      if (descriptor.limit().isEmpty() && descriptor.descriptors().isEmpty()) {
        at.here("needs a limit or nested descriptors");
      }
      descriptors(descriptor.descriptors(), at, depth + 1);
    }
  }
}
