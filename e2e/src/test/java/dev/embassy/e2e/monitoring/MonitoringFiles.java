package dev.embassy.e2e.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.embassy.testsupport.RepoPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** deploy/monitoring: the Prometheus alert rules and the Grafana dashboard, read as what they query. */
public final class MonitoringFiles {
  public static final Path RULES = Path.of("deploy", "monitoring", "alerts.yaml");
  public static final Path DASHBOARD = Path.of("deploy", "monitoring", "grafana-dashboard.json");

  private MonitoringFiles() {}

  public static JsonNode rules() throws IOException {
    return new ObjectMapper(new YAMLFactory()).readTree(RepoPaths.root().resolve(RULES).toFile());
  }

  public static JsonNode dashboard() throws IOException {
    return new ObjectMapper().readTree(RepoPaths.root().resolve(DASHBOARD).toFile());
  }

  /** Every PromQL expression, keyed by where it is (alert name, or panel title and refId). */
  public static Map<String, String> expressions() throws IOException {
    Map<String, String> exprs = new LinkedHashMap<>();
    for (JsonNode group : rules().path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        exprs.put("alert " + rule.path("alert").asText(), rule.path("expr").asText());
      }
    }
    for (JsonNode panel : panels(dashboard())) {
      for (JsonNode target : panel.path("targets")) {
        exprs.put("panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(), target.path("expr").asText());
      }
    }
    return exprs;
  }

  /** Metric names read by any rule or panel. */
  public static Set<String> metricNames() throws IOException {
    Set<String> names = new TreeSet<>();
    for (String expr : expressions().values()) {
      names.addAll(PromQlMetricNames.of(expr));
    }
    return names;
  }

  /** Panels, including those inside collapsed rows. */
  public static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      all.add(panel);
      panel.path("panels").forEach(all::add);
    }
    return all;
  }
}
