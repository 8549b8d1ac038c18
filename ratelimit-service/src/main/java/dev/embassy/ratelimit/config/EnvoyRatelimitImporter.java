package dev.embassy.ratelimit.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.model.RateLimitPolicy.Descriptor;
import dev.embassy.config.model.RateLimitPolicy.Limit;
import dev.embassy.config.validate.FieldError;
import dev.embassy.config.validate.ResourceValidator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads an envoyproxy/ratelimit configuration file, unchanged, into a {@link RateLimitPolicy}.
 *
 * <p>The file format is that project's: {@code domain} and nested {@code descriptors} of
 * {@code key}, optional {@code value} (a trailing {@code *} is a prefix wildcard),
 * {@code rate_limit{unit, requests_per_unit, unlimited, name, replaces[{name}]}},
 * {@code shadow_mode}, {@code detailed_metric}. Its rules are kept: every key must be one the
 * format knows (a known key in the wrong place is ignored there, too), units are matched without
 * case, {@code unlimited} takes no unit, a limit without {@code requests_per_unit} allows 0, a
 * composite key may appear once per level, {@code replaces} may not name its own limit.
 *
 * <p>Differences, each reported rather than silently changed:
 * <ul>
 *   <li>units {@code week}, {@code month} and {@code year} are refused: Embassy's windows go up to
 *       one day (issue 7's 1s…1d);</li>
 *   <li>{@code share_threshold} and {@code quota_mode} change decisions and the Embassy model has
 *       no field for them yet: refused;</li>
 *   <li>{@code value_to_metric} only renames metrics there: accepted with a warning, no effect;</li>
 *   <li>limit names ({@code name}, {@code replaces}) become DNS labels as the Embassy model requires
 *       ({@code specific_limit} → {@code specific-limit}), the same way in both places, with a
 *       warning; two names that would become the same are refused;</li>
 *   <li>a descriptor with neither a limit nor nested descriptors ("whitelisted": it matches and
 *       applies no limit) becomes an {@code unlimited} limit, which also matches and counts
 *       nothing, because the Embassy model requires one of the two.</li>
 * </ul>
 *
 * <p>The file says which limits apply to what Envoy sends, not what Envoy sends; the policy's
 * {@code requestDescriptors} are invented by {@link InventedRequestDescriptors}.
 */
public final class EnvoyRatelimitImporter {
  private static final Set<String> ALL_KEYS = Set.of(
      "domain", "key", "value", "descriptors", "rate_limit", "unit", "requests_per_unit", "unlimited",
      "shadow_mode", "quota_mode", "name", "replaces", "detailed_metric", "value_to_metric", "share_threshold");
  private static final Set<String> ROOT_KEYS = Set.of("domain", "descriptors");
  private static final Set<String> DESCRIPTOR_KEYS = Set.of(
      "key", "value", "rate_limit", "descriptors", "shadow_mode", "quota_mode", "detailed_metric",
      "value_to_metric", "share_threshold");
  private static final Set<String> RATE_LIMIT_KEYS = Set.of("unit", "requests_per_unit", "unlimited", "name", "replaces");
  private static final long MAX_UINT32 = 0xFFFF_FFFFL;

  /** A policy read from one file, with what the reader should know about it. */
  public record Imported(RateLimitPolicy policy, List<String> warnings) {
    public Imported {
      warnings = List.copyOf(warnings);
    }
  }

  /** The file cannot be imported; the message names the file and every problem found. */
  public static final class ImportException extends RuntimeException {
    public ImportException(String message) {
      super(message);
    }
  }

  private final String file;
  /** Limit names as written → as imported, to rename replaces the same way and spot collisions. */
  private final java.util.Map<String, String> limitNames = new java.util.LinkedHashMap<>();
  private final List<String> errors = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();

  private EnvoyRatelimitImporter(String file) {
    this.file = file;
  }

  /** Imports one file's text; {@code file} names it in messages. */
  public static Imported importFile(String file, String yaml) {
    return new EnvoyRatelimitImporter(file).run(yaml);
  }

  private Imported run(String yaml) {
    JsonNode root;
    try {
      root = ConfigJson.yaml().readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new ImportException(file + ": not valid YAML: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ImportException(file + ": the file must be a YAML mapping with 'domain' and 'descriptors'");
    }
    checkKeys(root, "", ROOT_KEYS);
    String domain = text(root, "domain", "").orElse("");
    if (domain.isEmpty()) {
      errors.add("config file cannot have empty domain");
    }
    List<Descriptor> descriptors = descriptors(root.get("descriptors"), "/descriptors");
    failIfErrors();

    RateLimitPolicy draft = new RateLimitPolicy(policyName(domain), Map.of(), domain, List.of(), descriptors,
        null, null, null, null);
    InventedRequestDescriptors invented = InventedRequestDescriptors.of(draft);
    warnings.addAll(invented.notes());
    RateLimitPolicy policy = new RateLimitPolicy(draft.name(), Map.of(), domain, invented.descriptors(), descriptors,
        null, null, null, null);
    List<FieldError> invalid = ResourceValidator.validate(policy);
    for (FieldError error : invalid) {
      errors.add(error.pointer() + ": " + error.detail());
    }
    failIfErrors();
    return new Imported(policy, warnings);
  }

  private List<Descriptor> descriptors(JsonNode list, String pointer) {
    if (list == null || list.isNull()) {
      return List.of();
    }
    if (!list.isArray()) {
      errors.add(pointer + ": must be a list of descriptors");
      return List.of();
    }
    List<Descriptor> out = new ArrayList<>();
    Set<String> compositeKeys = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode node = list.get(i);
      String at = pointer + "/" + i;
      if (!node.isObject()) {
        errors.add(at + ": yaml file contains list of type other than map");
        continue;
      }
      checkKeys(node, at, DESCRIPTOR_KEYS);
      String key = text(node, "key", at).orElse("");
      if (key.isEmpty()) {
        errors.add(at + ": descriptor has empty key");
        continue;
      }
      Optional<String> value = text(node, "value", at).filter(v -> !v.isEmpty());
      String composite = key + value.map(v -> "_" + v).orElse("");
      if (!compositeKeys.add(composite)) {
        errors.add(at + ": duplicate descriptor composite key '" + composite + "'");
      }
      if (bool(node, "share_threshold", at)) {
        errors.add(at + "/share_threshold: not supported: Embassy's rate-limit model has no shared-threshold setting yet");
      }
      if (bool(node, "quota_mode", at)) {
        errors.add(at + "/quota_mode: not supported: Embassy's rate-limit model has no quota mode yet");
      }
      if (bool(node, "value_to_metric", at)) {
        warnings.add(at + "/value_to_metric: ignored (it only changes metric names in envoyproxy/ratelimit)");
      }
      boolean shadow = bool(node, "shadow_mode", at);
      boolean detailed = bool(node, "detailed_metric", at);
      List<Descriptor> children = descriptors(node.get("descriptors"), at + "/descriptors");
      Optional<Limit> limit = limit(node.get("rate_limit"), at + "/rate_limit");
      if (limit.isEmpty() && children.isEmpty()) {
        warnings.add(at + ": no rate_limit and no descriptors (matches and limits nothing): imported as an unlimited limit");
        limit = Optional.of(new Limit(null, null, true, Optional.empty(), List.of()));
      }
      out.add(new Descriptor(key, value, limit, shadow, detailed, children));
    }
    return out;
  }

  private Optional<Limit> limit(JsonNode node, String at) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isObject()) {
      errors.add(at + ": must be a mapping");
      return Optional.empty();
    }
    checkKeys(node, at, RATE_LIMIT_KEYS);
    boolean unlimited = bool(node, "unlimited", at);
    Optional<String> unit = text(node, "unit", at).map(u -> u.toLowerCase(Locale.ROOT));
    Optional<String> window = unit.flatMap(EnvoyRatelimitImporter::window);
    boolean validUnit = unit.isPresent() && (window.isPresent() || isLongUnit(unit.get()));
    Optional<String> written = text(node, "name", at).filter(n -> !n.isEmpty());
    List<String> replaces = replaces(node.get("replaces"), at + "/replaces", written);
    Optional<String> name = written.map(n -> limitName(n, at + "/name"));
    if (unlimited) {
      if (validUnit) {
        errors.add(at + ": should not specify rate limit unit when unlimited");
      }
      return Optional.of(new Limit(null, null, true, name, replaces));
    }
    if (!validUnit) {
      errors.add(at + "/unit: invalid rate limit unit '" + unit.orElse("") + "'");
      return Optional.empty();
    }
    if (window.isEmpty()) {
      errors.add(at + "/unit: '" + unit.get() + "' windows are not supported: Embassy windows go up to 1 day");
      return Optional.empty();
    }
    long requests = 0;
    JsonNode perUnit = node.get("requests_per_unit");
    if (perUnit != null && !perUnit.isNull()) {
      if (!perUnit.isIntegralNumber() || perUnit.asLong() < 0 || perUnit.asLong() > MAX_UINT32) {
        errors.add(at + "/requests_per_unit: must be an unsigned 32-bit integer");
      } else {
        requests = perUnit.asLong();
      }
    }
    return Optional.of(new Limit(requests, window.get(), false, name, replaces));
  }

  private List<String> replaces(JsonNode node, String at, Optional<String> ownName) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      errors.add(at + ": must be a list of {name: ...}");
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      String itemAt = at + "/" + i;
      if (!item.isObject()) {
        errors.add(itemAt + ": yaml file contains list of type other than map");
        continue;
      }
      checkKeys(item, itemAt, Set.of("name"));
      String replaced = text(item, "name", itemAt).orElse("");
      if (replaced.isEmpty()) {
        errors.add(itemAt + ": should not have an empty replaces entry");
      } else if (ownName.isPresent() && ownName.get().equals(replaced)) {
        errors.add(itemAt + ": replaces should not contain name of same descriptor");
      } else {
        names.add(limitName(replaced, itemAt + "/name"));
      }
    }
    return names;
  }

  /** The DNS-label form of a limit name, the same for a name and every replaces naming it. */
  private String limitName(String written, String at) {
    String imported = policyName(written);
    String earlier = limitNames.putIfAbsent(written, imported);
    if (earlier == null) {
      limitNames.entrySet().stream()
          .filter(e -> !e.getKey().equals(written) && e.getValue().equals(imported))
          .findFirst()
          .ifPresent(e -> errors.add(at + ": limit names '" + e.getKey() + "' and '" + written + "' both become '" + imported + "'"));
      if (!imported.equals(written)) {
        warnings.add(at + ": limit name '" + written + "' imported as '" + imported + "' (Embassy limit names are DNS labels)");
      }
    }
    return imported;
  }

  /** Unknown keys fail (as in envoyproxy/ratelimit); known keys in the wrong place are ignored. */
  private void checkKeys(JsonNode node, String at, Set<String> expected) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String key = names.next();
      if (!ALL_KEYS.contains(key)) {
        errors.add(at + ": config error, unknown key '" + key + "'");
      } else if (!expected.contains(key)) {
        warnings.add(at + "/" + key + ": not used at this level; ignored");
      }
    }
  }

  private Optional<String> text(JsonNode node, String field, String at) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isValueNode()) {
      errors.add(at + "/" + field + ": must be a scalar");
      return Optional.empty();
    }
    // YAML 1.1 reads 50.0.0.5 as text but 1234 as a number; both are descriptor values.
    return Optional.of(value.asText());
  }

  private boolean bool(JsonNode node, String field, String at) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      errors.add(at + "/" + field + ": must be true or false");
      return false;
    }
    return value.asBoolean();
  }

  private void failIfErrors() {
    if (!errors.isEmpty()) {
      throw new ImportException(file + ": " + String.join("; ", errors));
    }
  }

  /** envoyproxy/ratelimit's units that fit Embassy's windows. */
  private static Optional<String> window(String unit) {
    return switch (unit) {
      case "second" -> Optional.of("1s");
      case "minute" -> Optional.of("1m");
      case "hour" -> Optional.of("1h");
      case "day" -> Optional.of("1d");
      default -> Optional.empty();
    };
  }

  private static boolean isLongUnit(String unit) {
    return unit.equals("week") || unit.equals("month") || unit.equals("year");
  }

  /**
   * A DNS-label policy name derived from the domain ({@code mongo_cps} → {@code mongo-cps}):
   * lowercase, every other character a '-', at most 63 characters.
   */
  public static String policyName(String domain) {
    String name = domain.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (name.length() > 63) {
      name = name.substring(0, 63).replaceAll("-+$", "");
    }
    return name.isEmpty() ? "imported" : name;
  }
}
