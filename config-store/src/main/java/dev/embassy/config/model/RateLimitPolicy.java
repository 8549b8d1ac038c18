package dev.embassy.config.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sliding-window limits for a rate-limit domain, with the descriptor semantics of
 * envoyproxy/ratelimit: nested descriptors, the most specific match wins.
 *
 * <p>Two halves: {@code requestDescriptors} say what Envoy sends for each request on a route that
 * references the policy (its rate_limits actions); {@code descriptors} say which limits apply to
 * what it sends (what ratelimit-service enforces).
 */
public record RateLimitPolicy(
    String name,
    Map<String, String> labels,
    String domain,
    List<RequestDescriptor> requestDescriptors,
    List<Descriptor> descriptors,
    FailureMode failureMode,
    String timeout,
    Mode mode,
    Boolean responseHeaders)
    implements ConfigResource {
  public RateLimitPolicy {
    labels = Absent.map(labels);
    requestDescriptors = Absent.list(requestDescriptors);
    descriptors = Absent.list(descriptors);
    failureMode = Absent.or(failureMode, FailureMode.open);
    timeout = Absent.or(timeout, "20ms");
    mode = Absent.or(mode, Mode.exact);
    responseHeaders = Absent.or(responseHeaders, true);
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

  /**
   * {@code exact}: every hit is counted by the key's single owner node, so a limit is never
   * exceeded by more than the window math allows. {@code global}: each node answers from its own
   * view and the nodes exchange counts asynchronously, trading a documented over-admission bound
   * for no peer hop on hot keys.
   */
  public enum Mode { exact, global }

  /**
   * One descriptor Envoy builds per request: its entries, in order, become the descriptor's
   * key/value pairs. Envoy sends no descriptor when an entry cannot be filled (a missing header or
   * claim), so such a request is not limited by it.
   */
  public record RequestDescriptor(List<DescriptorEntry> entries) {
    public RequestDescriptor {
      entries = Absent.list(entries);
    }
  }

  /** Exactly one source for one key/value pair of a request descriptor. */
  public record DescriptorEntry(
      Optional<GenericKey> genericKey,
      Optional<RequestHeader> requestHeader,
      Optional<RemoteAddress> remoteAddress,
      Optional<Claim> claim) {
    public DescriptorEntry {
      genericKey = Absent.optional(genericKey);
      requestHeader = Absent.optional(requestHeader);
      remoteAddress = Absent.optional(remoteAddress);
      claim = Absent.optional(claim);
    }
  }

  /** A fixed pair, e.g. to give every request on the route one shared counter. */
  public record GenericKey(String key, String value) {
    public GenericKey {
      key = Absent.or(key, "generic_key");
    }
  }

  /** The value of request header {@code header}, under {@code key}. */
  public record RequestHeader(String header, String key) {}

  /**
   * The client's address: {@code {}} gives Envoy's remote_address pair (key
   * {@code remote_address}); a prefix length limits by subnet instead (masked_remote_address).
   */
  public record RemoteAddress(Optional<Integer> v4PrefixLength, Optional<Integer> v6PrefixLength) {
    public RemoteAddress {
      v4PrefixLength = Absent.optional(v4PrefixLength);
      v6PrefixLength = Absent.optional(v6PrefixLength);
    }
  }

  /**
   * A claim of the caller's verified token, under {@code key}: auth-service returns claims as
   * ext_authz dynamic metadata, so limits can be per user or per tenant.
   */
  public record Claim(String claim, String key) {}

  /** Matches one descriptor entry by key and, optionally, value ({@code *} wildcards allowed). */
  public record Descriptor(
      String key,
      Optional<String> value,
      Optional<Limit> limit,
      Boolean shadowMode,
      Boolean detailedMetric,
      List<Descriptor> descriptors) {
    public Descriptor {
      value = Absent.optional(value);
      limit = Absent.optional(limit);
      shadowMode = Absent.or(shadowMode, false);
      detailedMetric = Absent.or(detailedMetric, false);
      descriptors = Absent.list(descriptors);
    }
  }

  /**
   * {@code requests} per sliding {@code window}; or {@code unlimited}. A named limit can be
   * {@code replaces}d: when a request matches a limit that replaces it, the replaced one is not
   * applied (envoyproxy/ratelimit's replaces).
   */
  public record Limit(Long requests, String window, Boolean unlimited, Optional<String> name, List<String> replaces) {
    public Limit {
      unlimited = Absent.or(unlimited, false);
      name = Absent.optional(name);
      replaces = Absent.list(replaces);
    }
  }
}
