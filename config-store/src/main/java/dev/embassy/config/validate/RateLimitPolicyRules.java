package dev.embassy.config.validate;

import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.model.RateLimitPolicy.Descriptor;
import dev.embassy.config.model.RateLimitPolicy.DescriptorEntry;
import dev.embassy.config.model.RateLimitPolicy.RequestDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

final class RateLimitPolicyRules {
  private static final int MAX_DEPTH = 8;
  private static final Duration MAX_WINDOW = Duration.ofDays(1);
  /** Descriptor keys and values travel as Envoy descriptor entries and metric labels. */
  private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

  private RateLimitPolicyRules() {}

  static void check(RateLimitPolicy policy, Violations v) {
    if (Checks.required(v, "domain", policy.domain()) && !policy.domain().matches("[A-Za-z0-9_.-]{1,128}")) {
      v.add("domain", "must be 1-128 letters, digits, '_', '.' or '-'");
    }
    if (Checks.required(v, "requestDescriptors", policy.requestDescriptors())) {
      Checks.maxSize(v, "requestDescriptors", policy.requestDescriptors(), 16);
    }
    for (int i = 0; i < policy.requestDescriptors().size(); i++) {
      requestDescriptor(policy.requestDescriptors().get(i), v.at("requestDescriptors", i));
    }
    Checks.required(v, "descriptors", policy.descriptors());
    descriptors(policy.descriptors(), v, 1);
    replaces(policy, v);
    // Envoy's rate-limit filter timeout; the service must answer well inside it.
    Checks.duration(v, "timeout", policy.timeout(), Duration.ofSeconds(1));
  }

  private static void requestDescriptor(RequestDescriptor descriptor, Violations v) {
    if (descriptor == null) {
      v.here("must be an object");
      return;
    }
    if (Checks.required(v, "entries", descriptor.entries())) {
      Checks.maxSize(v, "entries", descriptor.entries(), MAX_DEPTH);
    }
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < descriptor.entries().size(); i++) {
      DescriptorEntry entry = descriptor.entries().get(i);
      Violations at = v.at("entries", i);
      if (entry == null) {
        at.here("must be an object");
        continue;
      }
      int set = (entry.genericKey().isPresent() ? 1 : 0) + (entry.requestHeader().isPresent() ? 1 : 0)
          + (entry.remoteAddress().isPresent() ? 1 : 0) + (entry.claim().isPresent() ? 1 : 0);
      if (set != 1) {
        at.here("needs exactly one of genericKey, requestHeader, remoteAddress and claim");
        continue;
      }
      String key = entryKey(entry, at);
      if (key != null && !keys.add(key)) {
        at.here("key " + key + " appears twice in one descriptor");
      }
    }
  }

  /** The descriptor key the entry produces, after checking the entry; null if it is invalid. */
  private static String entryKey(DescriptorEntry entry, Violations v) {
    if (entry.genericKey().isPresent()) {
      Violations at = v.at("genericKey");
      RateLimitPolicy.GenericKey generic = entry.genericKey().get();
      boolean ok = key(at, "key", generic.key());
      if (Checks.required(at, "value", generic.value()) && generic.value().length() > 1024) {
        at.add("value", "at most 1024 characters");
        ok = false;
      }
      return ok ? generic.key() : null;
    }
    if (entry.requestHeader().isPresent()) {
      Violations at = v.at("requestHeader");
      RateLimitPolicy.RequestHeader header = entry.requestHeader().get();
      Checks.headerName(at, "header", header.header());
      return key(at, "key", header.key()) ? header.key() : null;
    }
    if (entry.claim().isPresent()) {
      Violations at = v.at("claim");
      RateLimitPolicy.Claim claim = entry.claim().get();
      if (Checks.required(at, "claim", claim.claim()) && claim.claim().length() > 256) {
        at.add("claim", "at most 256 characters");
      }
      return key(at, "key", claim.key()) ? claim.key() : null;
    }
    RateLimitPolicy.RemoteAddress address = entry.remoteAddress().get();
    Violations at = v.at("remoteAddress");
    address.v4PrefixLength().ifPresent(n -> Checks.range(at, "v4PrefixLength", n, 0, 32));
    address.v6PrefixLength().ifPresent(n -> Checks.range(at, "v6PrefixLength", n, 0, 128));
    boolean masked = address.v4PrefixLength().isPresent() || address.v6PrefixLength().isPresent();
    return masked ? "masked_remote_address" : "remote_address";
  }

  private static boolean key(Violations v, String field, String key) {
    if (!Checks.required(v, field, key)) {
      return false;
    }
    if (!KEY.matcher(key).matches()) {
      v.add(field, "must be 1-128 letters, digits, '_', '.', ':' or '-'");
      return false;
    }
    return true;
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
        Checks.maxSize(l, "replaces", limit.replaces(), 16);
      });
      if (descriptor.limit().isEmpty() && descriptor.descriptors().isEmpty()) {
        at.here("needs a limit or nested descriptors");
      }
      descriptors(descriptor.descriptors(), at, depth + 1);
    }
  }

  /** Every name in a {@code replaces} list must name a limit of the same policy. */
  private static void replaces(RateLimitPolicy policy, Violations v) {
    Set<String> names = new HashSet<>();
    List<Runnable> checks = new ArrayList<>();
    walk(policy.descriptors(), v, names, checks);
    checks.forEach(Runnable::run);
  }

  private static void walk(List<Descriptor> descriptors, Violations v, Set<String> names, List<Runnable> checks) {
    for (int i = 0; i < descriptors.size(); i++) {
      Descriptor descriptor = descriptors.get(i);
      Violations at = v.at("descriptors", i);
      descriptor.limit().ifPresent(limit -> {
        limit.name().ifPresent(names::add);
        for (int j = 0; j < limit.replaces().size(); j++) {
          String replaced = limit.replaces().get(j);
          Violations pointer = at.at("limit", "replaces");
          String index = Integer.toString(j);
          checks.add(() -> {
            if (replaced == null || !names.contains(replaced)) {
              pointer.add(index, "names no limit of this policy: " + replaced);
            } else if (limit.name().map(replaced::equals).orElse(false)) {
              pointer.add(index, "a limit cannot replace itself");
            }
          });
        }
      });
      walk(descriptor.descriptors(), at, names, checks);
    }
  }
}
