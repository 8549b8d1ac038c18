package dev.embassy.e2e.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The shape of deploy/monitoring's files, as Prometheus and Grafana read them (promtool is not
 * installable here): rule groups with uniquely named alerts, each with a PromQL expression whose
 * brackets balance, a duration in {@code for}, a severity and a summary; a dashboard whose panels
 * have unique ids and queries. Whether the metrics exist is DocsExamplesIT's check.
 */
class MonitoringFilesTest {
  private static final Set<String> RULE_FIELDS = Set.of("alert", "expr", "for", "labels", "annotations");

  @Test
  void alertRulesAreWellFormed() throws Exception {
    JsonNode rules = MonitoringFiles.rules();
    assertThat(rules.fieldNames()).toIterable().containsExactly("groups");
    Set<String> alerts = new HashSet<>();
    Set<String> groups = new HashSet<>();
    for (JsonNode group : rules.path("groups")) {
      assertThat(groups.add(group.path("name").asText())).as("group names are unique").isTrue();
      assertThat(group.path("rules").size()).as(group.path("name").asText()).isPositive();
      for (JsonNode rule : group.path("rules")) {
        String alert = rule.path("alert").asText();
        assertThat(alert).matches("[A-Z][A-Za-z0-9]+");
        assertThat(alerts.add(alert)).as("alert %s is unique", alert).isTrue();
        for (Iterator<String> fields = rule.fieldNames(); fields.hasNext(); ) {
          assertThat(RULE_FIELDS).as("field of %s", alert).contains(fields.next());
        }
        assertThat(PromQlMetricNames.of(rule.path("expr").asText())).as("%s reads a metric", alert).isNotEmpty();
        if (rule.has("for")) {
          assertThat(rule.path("for").asText()).as("%s for", alert).matches("[0-9]+(ms|s|m|h|d)");
        }
        assertThat(rule.path("labels").path("severity").asText()).as("%s severity", alert).isIn("critical", "warning", "info");
        assertThat(rule.path("annotations").path("summary").asText()).as("%s summary", alert).isNotBlank();
      }
    }
    // The failure modes issue 16 asks alerts for.
    assertThat(alerts).contains("EmbassyStoreUnreachable", "EmbassyConsulWatchFailing", "EmbassyWithdrawnVersions", "EmbassyProxyNack",
        "EmbassyRateLimitPeerDown", "EmbassyJwksFetchFailing");
  }

  @Test
  void dashboardIsWellFormed() throws Exception {
    JsonNode dashboard = MonitoringFiles.dashboard();
    assertThat(dashboard.path("uid").asText()).isNotBlank();
    assertThat(dashboard.path("schemaVersion").asInt()).isPositive();
    Set<Integer> ids = new HashSet<>();
    int queries = 0;
    for (JsonNode panel : MonitoringFiles.panels(dashboard)) {
      assertThat(ids.add(panel.path("id").asInt())).as("panel id %s is unique", panel.path("id")).isTrue();
      assertThat(panel.path("gridPos").path("w").asInt()).isBetween(1, 24);
      if (!panel.path("type").asText().equals("row")) {
        assertThat(panel.path("targets").size()).as(panel.path("title").asText()).isPositive();
        for (JsonNode target : panel.path("targets")) {
          assertThat(PromQlMetricNames.of(target.path("expr").asText())).as(panel.path("title").asText()).isNotEmpty();
          queries++;
        }
      }
    }
    assertThat(queries).isGreaterThan(20);
  }

  @Test
  void metricNamesAreWhatAnExpressionReads() {
    assertThat(PromQlMetricNames.of("sum by (job, instance) (rate(embassy_x_total{result=\"deny\", a=~\"b|c\"}[5m] offset 1d)) > 10 * ignoring(job) up"))
        .containsExactlyInAnyOrder("embassy_x_total", "up");
    assertThat(PromQlMetricNames.of("histogram_quantile(0.99, sum by (le) (rate(envoy_http_downstream_rq_time_bucket[$__rate_interval])))"))
        .containsExactly("envoy_http_downstream_rq_time_bucket");
    assertThat(PromQlMetricNames.of("max_over_time(a_b[1h:5m]) < 1e3 and on(instance) c")).containsExactlyInAnyOrder("a_b", "c");
    assertThatThrownBy(() -> PromQlMetricNames.of("sum(rate(x[5m])")).hasMessageContaining("unclosed (");
    assertThatThrownBy(() -> PromQlMetricNames.of("x{a=\"b}")).hasMessageContaining("unclosed string");
  }
}
