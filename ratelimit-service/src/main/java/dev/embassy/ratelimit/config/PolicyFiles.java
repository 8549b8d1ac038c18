package dev.embassy.ratelimit.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.RateLimitPolicy;
import dev.embassy.config.validate.FieldError;
import dev.embassy.config.validate.ResourceValidator;
import dev.embassy.ratelimit.config.EnvoyRatelimitImporter.ImportException;
import dev.embassy.ratelimit.config.EnvoyRatelimitImporter.Imported;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Rate-limit policy files read together, as envoyproxy/ratelimit loads its runtime directory.
 * Each file is either an envoyproxy/ratelimit config (a {@code domain} at the top), imported by
 * {@link EnvoyRatelimitImporter}, or an Embassy document with {@code rateLimitPolicies} (what
 * {@code embassyctl dump} writes), validated like the admin API validates it. A domain may appear
 * once (envoyproxy/ratelimit's MERGE_DOMAIN_CONFIG default); imported policy names are made unique
 * when two domains map to the same name.
 */
public final class PolicyFiles {
  private PolicyFiles() {}

  /** The {@code *.yaml}, {@code *.yml} and {@code *.json} files directly in {@code dir}, dotfiles excluded, sorted. */
  public static List<Path> configFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(p -> {
            String name = p.getFileName().toString();
            return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
          })
          .sorted()
          .toList();
    }
  }

  /** Reads every file; fails with every file's problems at once. */
  public static List<Imported> readAll(List<Path> files) throws IOException {
    List<Imported> policies = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Map<String, Path> domains = new HashMap<>();
    Set<String> names = new HashSet<>();
    for (Path file : files) {
      try {
        for (Imported one : read(file)) {
          Path earlier = domains.putIfAbsent(one.policy().domain(), file);
          if (earlier != null) {
            problems.add(file + ": duplicate domain '" + one.policy().domain() + "' (also in " + earlier + ")");
            continue;
          }
          policies.add(new Imported(uniquelyNamed(one.policy(), names), one.warnings()));
        }
      } catch (ImportException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new ImportException(String.join("\n", problems));
    }
    return policies;
  }

  private static List<Imported> read(Path file) throws IOException {
    String text = Files.readString(file);
    JsonNode root;
    try {
      root = ConfigJson.yaml().readTree(text);
    } catch (IOException e) {
      throw new ImportException(file + ": not valid YAML or JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject() || !root.has("rateLimitPolicies")) {
      return List.of(EnvoyRatelimitImporter.importFile(file.toString(), text));
    }
    ConfigDocument document;
    try {
      document = ConfigJson.yaml().readValue(text, ConfigDocument.class);
    } catch (IOException e) {
      throw new ImportException(file + ": not an Embassy document: " + e.getMessage());
    }
    List<String> problems = new ArrayList<>();
    List<Imported> out = new ArrayList<>();
    for (int i = 0; i < document.rateLimitPolicies().size(); i++) {
      RateLimitPolicy policy = document.rateLimitPolicies().get(i);
      for (FieldError error : ResourceValidator.validate(policy)) {
        problems.add("/rateLimitPolicies/" + i + error.pointer() + ": " + error.detail());
      }
      out.add(new Imported(policy, List.of()));
    }
    if (!problems.isEmpty()) {
      throw new ImportException(file + ": " + String.join("; ", problems));
    }
    return out;
  }

  private static RateLimitPolicy uniquelyNamed(RateLimitPolicy policy, Set<String> names) {
    String name = policy.name();
    for (int n = 2; !names.add(name); n++) {
      String suffix = "-" + n;
      String base = policy.name().length() + suffix.length() > 63 ? policy.name().substring(0, 63 - suffix.length()) : policy.name();
      name = base + suffix;
    }
    return name.equals(policy.name()) ? policy : new RateLimitPolicy(name, policy.labels(), policy.domain(),
        policy.requestDescriptors(), policy.descriptors(), policy.failureMode(), policy.timeout(), policy.mode(),
        policy.responseHeaders());
  }
}
