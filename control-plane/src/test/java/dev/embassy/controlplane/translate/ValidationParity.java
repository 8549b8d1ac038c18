package dev.embassy.controlplane.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.validate.ConfigValidator;
import dev.embassy.config.validate.ConfigView;
import dev.embassy.config.validate.FieldError;
import dev.embassy.config.validate.ResourceValidator;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.controlplane.ir.NodeGroupBuilder;
import dev.embassy.controlplane.ir.NodeGroupConfig;
import dev.embassy.testsupport.EnvoyProcess;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Runs the validation parity check of issue 13 over a {@link ConfigCorpus}: each case the API's
 * validation accepts is translated and must pass {@code envoy --mode validate}; each regex it
 * refuses must also be refused by Envoy, unless the refusal is on {@link #DOCUMENTED} (the same
 * list as docs/validation.md). Accepted cases are validated many at a time, and a failing batch
 * is bisected down to the cases Envoy rejects.
 */
final class ValidationParity {
  /** Why the API may refuse a regex Envoy accepts; docs/validation.md explains each. */
  static final Map<String, BiPredicate<String, String>> DOCUMENTED = new LinkedHashMap<>();

  static {
    DOCUMENTED.put("program-size estimate above the true size", (regex, reason) -> reason.startsWith("RE2 program size is about"));
    DOCUMENTED.put("re2j refuses \\C, non-ASCII and duplicate group names, RE2 accepts them",
        (regex, reason) -> reason.startsWith("is not a valid RE2 regular expression")
            && (regex.contains("\\C") || reason.endsWith("duplicate capture group name")
                || (regex.contains("(?") && !regex.chars().allMatch(ch -> ch < 0x80))));
    DOCUMENTED.put("Embassy's own length limit", (regex, reason) -> reason.equals("regex longer than 1024 characters"));
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BATCH = 200;

  /** What a run found; the lists are empty when validation and Envoy agree. */
  record Report(
      int cases, int accepted, int refused, int regexesRefused, int regexesConfirmedByEnvoy, Map<String, Integer> documented,
      List<String> acceptedButEnvoyRejects, List<String> regexRefusedButEnvoyAccepts, long envoyRuns) {
    String summary() {
      return "%d cases: %d accepted, %d refused; %d refused regexes, %d of them refused by Envoy too, documented differences %s;"
          .formatted(cases, accepted, refused, regexesRefused, regexesConfirmedByEnvoy, documented)
          + " %d accepted cases Envoy rejects, %d refused regexes Envoy accepts; %d Envoy runs"
          .formatted(acceptedButEnvoyRejects.size(), regexRefusedButEnvoyAccepts.size(), envoyRuns);
    }
  }

  private long envoyRuns;

  static Report run(long seed, int count) throws Exception {
    return new ValidationParity().check(new ConfigCorpus(seed).cases(count));
  }

  private Report check(List<ConfigCorpus.Case> cases) throws Exception {
    List<ConfigCorpus.Case> accepted = new ArrayList<>();
    int refused = 0;
    Map<String, String> refusedRegexes = new LinkedHashMap<>();
    for (ConfigCorpus.Case c : cases) {
      List<FieldError> errors = validate(c);
      if (errors.isEmpty()) {
        accepted.add(c);
        continue;
      }
      refused++;
      for (FieldError error : errors) {
        String regex = error.pointer().startsWith("route:") ? c.regexes().get(error.pointer().substring("route:".length())) : null;
        if (regex != null) {
          refusedRegexes.putIfAbsent(regex, error.detail());
        }
      }
    }

    List<String> envoyRejects = new ArrayList<>();
    for (int from = 0; from < accepted.size(); from += BATCH) {
      envoyRejects.addAll(rejected(accepted.subList(from, Math.min(accepted.size(), from + BATCH))));
    }

    Map<String, Integer> documented = new LinkedHashMap<>();
    List<String> envoyAccepts = new ArrayList<>();
    int confirmed = 0;
    for (Map.Entry<String, String> e : refusedRegexes.entrySet()) {
      EnvoyProcess.Validation envoy = validateAlone(e.getKey());
      if (!envoy.accepted()) {
        confirmed++;
        continue;
      }
      Optional<String> reason = DOCUMENTED.entrySet().stream().filter(d -> d.getValue().test(e.getKey(), e.getValue())).map(Map.Entry::getKey).findFirst();
      if (reason.isPresent()) {
        documented.merge(reason.get(), 1, Integer::sum);
      } else {
        envoyAccepts.add(e.getKey() + " (refused: " + e.getValue() + ")");
      }
    }
    return new Report(cases.size(), accepted.size(), refused, refusedRegexes.size(), confirmed, documented, envoyRejects, envoyAccepts, envoyRuns);
  }

  /** The API's verdict: each resource alone, then against the case's other resources. */
  private static List<FieldError> validate(ConfigCorpus.Case c) {
    ConfigView view = new CaseView(c);
    List<FieldError> errors = new ArrayList<>();
    for (ConfigResource resource : c.resources()) {
      String prefix = resource.kind() == ResourceKind.ROUTE ? "route:" : resource.kind().pathSegment() + ":";
      for (FieldError error : ResourceValidator.validate(resource)) {
        errors.add(new FieldError(prefix + error.pointer(), error.detail()));
      }
      for (FieldError error : ConfigValidator.validate(resource, view)) {
        errors.add(new FieldError(prefix + error.pointer(), error.detail()));
      }
    }
    return errors;
  }

  /** The cases of {@code batch} Envoy rejects, each with Envoy's message; bisects a failing batch. */
  private List<String> rejected(List<ConfigCorpus.Case> batch) throws Exception {
    EnvoyProcess.Validation validation = validateTogether(batch);
    if (validation.accepted()) {
      return List.of();
    }
    if (batch.size() == 1) {
      return List.of(batch.getFirst().name() + ": " + lastLine(validation.output()) + "\n    route: " + batch.getFirst().route());
    }
    int half = batch.size() / 2;
    List<String> result = new ArrayList<>(rejected(batch.subList(0, half)));
    result.addAll(rejected(batch.subList(half, batch.size())));
    return result;
  }

  /** The cases translated as one config, every node group's static resources in one bootstrap. */
  private EnvoyProcess.Validation validateTogether(List<ConfigCorpus.Case> batch) throws Exception {
    List<ConfigResource> resources = new ArrayList<>();
    batch.forEach(c -> resources.addAll(c.resources()));
    ConfigDocument document = ConfigDocument.of(resources);
    ObjectNode merged = null;
    ArrayNode listeners = null;
    ArrayNode clusters = null;
    Set<String> clusterNames = new HashSet<>();
    for (NodeGroupConfig group : NodeGroupBuilder.build(document, dev.embassy.controlplane.ir.TranslationSettings.defaults(GoldenFiles.LISTENER_ADDRESS), EndpointSource.NONE)) {
      XdsResources xds = XdsTranslator.translate(group);
      ObjectNode bootstrap = (ObjectNode) JSON.readTree(StaticBootstrap.render(xds));
      JsonNode statics = bootstrap.path("static_resources");
      if (merged == null) {
        merged = bootstrap;
        ObjectNode mergedStatics = merged.putObject("static_resources");
        listeners = mergedStatics.putArray("listeners");
        clusters = mergedStatics.putArray("clusters");
      }
      for (JsonNode listener : statics.path("listeners")) {
        // Listener names are per node group; prefix them so the groups can share one Envoy.
        ((ObjectNode) listener).put("name", xds.nodeGroup() + "/" + listener.path("name").asText());
        listeners.add(listener);
      }
      for (JsonNode cluster : statics.path("clusters")) {
        if (clusterNames.add(cluster.path("name").asText())) {
          clusters.add(cluster);
        }
      }
    }
    envoyRuns++;
    return EnvoyProcess.validate(JSON.writeValueAsString(merged));
  }

  /** A bootstrap whose only route matches the path with {@code regex}, as Envoy receives it. */
  private EnvoyProcess.Validation validateAlone(String regex) throws Exception {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("admin").putObject("address").putObject("socket_address").put("address", "127.0.0.1").put("port_value", 0);
    ObjectNode listener = root.putObject("static_resources").putArray("listeners").addObject();
    listener.put("name", "regex");
    listener.putObject("address").putObject("socket_address").put("address", "127.0.0.1").put("port_value", 10001);
    ObjectNode hcm = listener.putArray("filter_chains").addObject().putArray("filters").addObject();
    hcm.put("name", "envoy.filters.network.http_connection_manager");
    ObjectNode config = hcm.putObject("typed_config");
    config.put("@type", "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager");
    config.put("stat_prefix", "regex");
    ObjectNode router = config.putArray("http_filters").addObject();
    router.put("name", "envoy.filters.http.router");
    router.putObject("typed_config").put("@type", "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router");
    ObjectNode host = config.putObject("route_config").putArray("virtual_hosts").addObject();
    host.put("name", "regex");
    host.putArray("domains").add("*");
    ObjectNode route = host.putArray("routes").addObject();
    route.putObject("match").putObject("safe_regex").put("regex", regex);
    route.putObject("direct_response").put("status", 200);
    envoyRuns++;
    return EnvoyProcess.validate(JSON.writeValueAsString(root));
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines[lines.length - 1];
  }

  /** The case's own resources as the config a write would produce. */
  private record CaseView(ConfigCorpus.Case c) implements ConfigView {
    @Override
    public boolean exists(ResourceKind kind, String name) {
      return c.resources().stream().anyMatch(r -> r.kind() == kind && r.name() != null && r.name().equals(name));
    }

    @Override
    public Optional<Gateway> gateway(String name) {
      return Optional.of(c.gateway()).filter(g -> name.equals(g.name()));
    }

    @Override
    public Optional<dev.embassy.config.model.ConfigResource> find(ResourceKind kind, String name) {
      return c.resources().stream().filter(r -> r.kind() == kind && r.name() != null && r.name().equals(name)).findFirst()
          .map(r -> (dev.embassy.config.model.ConfigResource) r);
    }

    @Override
    public List<dev.embassy.config.model.Route> routesReferring(ResourceKind kind, String name) {
      return List.of();
    }

    @Override
    public List<Gateway> nodeGroupPeers(String nodeGroup, String gateway) {
      return List.of();
    }

    @Override
    public Map<String, String> conflictingClaims(String gateway, Collection<String> keys, String route) {
      return new HashMap<>();
    }

    @Override
    public Optional<String> rateLimitDomainOwner(String domain, String policy) {
      return Optional.empty();
    }
  }
}
