package dev.embassy.ratelimit.config;

import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.model.RateLimitPolicy.Descriptor;
import dev.embassy.config.model.RateLimitPolicy.DescriptorEntry;
import dev.embassy.config.model.RateLimitPolicy.GenericKey;
import dev.embassy.config.model.RateLimitPolicy.RemoteAddress;
import dev.embassy.config.model.RateLimitPolicy.RequestDescriptor;
import dev.embassy.config.model.RateLimitPolicy.RequestHeader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Envoy should send for an imported envoyproxy/ratelimit file, which only says what is
 * limited. One request descriptor per distinct key sequence that leads to a limit, in file order,
 * each key filled from:
 * <ul>
 *   <li>{@code remote_address}: the client address (Envoy's remote_address action);</li>
 *   <li>{@code masked_remote_address}: the client address masked to /32 and /128 (adjust the
 *       prefix lengths to limit by subnet);</li>
 *   <li>{@code generic_key} with a fixed value on that path: that fixed pair, as Envoy's
 *       generic_key action sends it (so every request on the route carries it);</li>
 *   <li>any other key: the request header of the same name, e.g. {@code to_number} from header
 *       {@code to_number}. Envoy leaves out a descriptor whose header is missing, so a request
 *       without it is simply not limited by that descriptor.</li>
 * </ul>
 * The generated policy is an ordinary one: edit its {@code requestDescriptors} before applying it
 * when routes should send something else (a claim, a different header).
 */
record InventedRequestDescriptors(List<RequestDescriptor> descriptors, List<String> notes) {
  /** The most request descriptors a policy may have (the model's limit). */
  private static final int MAX = 16;

  static InventedRequestDescriptors of(RateLimitPolicy policy) {
    Map<String, RequestDescriptor> bySignature = new LinkedHashMap<>();
    walk(policy.descriptors(), new ArrayList<>(), bySignature);
    List<String> notes = new ArrayList<>();
    List<RequestDescriptor> all = new ArrayList<>(bySignature.values());
    if (all.size() > MAX) {
      notes.add("the file needs " + all.size() + " request descriptors; only the first " + MAX
          + " are kept (split the domain into several policies to keep all)");
      all = all.subList(0, MAX);
    }
    return new InventedRequestDescriptors(List.copyOf(all), notes);
  }

  private static void walk(List<Descriptor> level, List<Descriptor> path, Map<String, RequestDescriptor> out) {
    for (Descriptor descriptor : level) {
      path.add(descriptor);
      if (descriptor.limit().isPresent()) {
        List<DescriptorEntry> entries = new ArrayList<>();
        StringBuilder signature = new StringBuilder();
        for (Descriptor step : path) {
          DescriptorEntry entry = entry(step);
          entries.add(entry);
          signature.append(step.key()).append('\u0000')
              .append(entry.genericKey().map(GenericKey::value).orElse("")).append('\u0001');
        }
        out.putIfAbsent(signature.toString(), new RequestDescriptor(entries));
      }
      walk(descriptor.descriptors(), path, out);
      path.remove(path.size() - 1);
    }
  }

  private static DescriptorEntry entry(Descriptor step) {
    String key = step.key();
    if (key.equals("remote_address")) {
      return new DescriptorEntry(null, null, Optional.of(new RemoteAddress(null, null)), null);
    }
    if (key.equals("masked_remote_address")) {
      return new DescriptorEntry(null, null, Optional.of(new RemoteAddress(Optional.of(32), Optional.of(128))), null);
    }
    Optional<String> fixed = step.value().filter(v -> !v.endsWith("*"));
    if (key.equals("generic_key") && fixed.isPresent()) {
      return new DescriptorEntry(Optional.of(new GenericKey(key, fixed.get())), null, null, null);
    }
    return new DescriptorEntry(null, Optional.of(new RequestHeader(key, key)), null, null);
  }
}
