package dev.embassy.controlplane.translate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.Cluster;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.Route;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random and edge-case configs for the validation parity check (issue 13). Each case is one
 * gateway, one cluster and one route, all named after the case so that any number of cases can
 * be translated and validated by Envoy together; random fields take edge values (regexes near
 * RE2's limits, odd header bytes, long and empty values, wildcard, uppercase, IDN and
 * trailing-dot hostnames, zero and huge durations, weights at their bounds).
 */
final class ConfigCorpus {
  /** One generated config, and where in its route each regex sits (pointer relative to the route). */
  record Case(String name, Gateway gateway, Cluster cluster, Route route, Map<String, String> regexes) {
    List<ConfigResource> resources() {
      return List.of(cluster, gateway, route);
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Regexes at or just past the edges RE2 and Envoy enforce, and ones re2j judges differently. */
  static final List<String> EDGE_REGEXES = List.of(
      "/(a{1000}){1000}", "(a{10}){100}", "(a{10}){101}", "((a{2}){2}){250}", "(a{2,}){501}", "a{1000}", "a{1001}",
      "^/orders/[0-9a-f-]{36}$", "^/orders/[0-9a-f-]{8}$", "\\p{Greek}", "\\pL", "\\pZ+", "(?P<ñ>a)", "(?<id>[0-9]+)", "\\C",
      "(a)\\1", "[z-a]", "(?=x)", "\\8", "a**", "a*+", "x{,5}", "a{2}{", "\\Q/a.b\\E", "(?i)/admin", "(?s).*", "\\x{1F600}",
      "[\\d-z]", "[]a]", "/api/v[0-9]+/users/[^/]+", "^/static/.*\\.(css|js|png)$", "/[a-z]{2}-[A-Z]{2}/.*", "\\b\\B\\A\\z",
      "(?:a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q|r|s|t|u|v|w|x|y|z)+", "([a-z]+/){5}[a-z]+", "[^/]{20}", "é{30}", "(((((((((a)))))))))",
      "(", ")", "[", "a{,}", "\\", "*a", "^*", "$+",
      // Where re2j's and RE2's grammars could part: Unicode names, flags, group names, octal,
      // surrogates, empty and full classes, counts at the edge of the nested-repeat rule.
      "\\p{greek}", "\\p{Cn}", "\\p{Latin}", "\\pC", "\\p{Zzzz}", "(?i)\\p{Lu}", "[[:foo:]]", "[[:^alpha:]]", "\\x{D800}",
      "\\x{110000}", "\\0", "\\08", "a{0}", "a{0,0}", "(?i)ǅ", "(?-i)a", "(?i-s:a.)", "(?m)^$", "(?U)a+?", "(?P<n>a)(?P<n>b)",
      "(?P<n>a)(?<n>b)", "(?<>a)", "(?P<1a>x)", "[\\Q]\\E]", "\\Q\\", "(?:a{0,1000}){2}", "(?:a{1000}){1}", "(?:a{0}){1000}",
      "x{2,1}", "[a-a]", "[\\x00-\\x{10FFFF}]", "[^\\x00-\\x{10FFFF}]", "\\b*", "(?i)[k-s]", "[\\p{Greek}\\d]", "\\P{^L}",
      "a{01}", "a{1,02}", "\\pN{3}", "(?s:.){12}", "[^/]{11}", "[^/]{12}", "(?i)[a-z]{30}", "\\d{47}", "\\d{48}");
  private static final String[] REGEX_PARTS = {
      "/", "api", "v[0-9]+", "[^/]+", "[a-z]{2}", "[0-9a-f]{4}", ".*", "\\.", "(css|js)", "(?i)x", "\\d{1,3}", "[A-Za-z_-]*",
      "(a|b)?", "é", "\\w+", "[[:alpha:]]", "(?:/[^/]*){3}", "[0-9]{1,5}", "(?:[a-z]+-)*"};
  private static final String[] QUANTIFIERS = {"*", "+", "?", "{2}", "{1,3}", "{4,}", "{0,1000}", "{100}"};
  static final List<String> HEADER_NAMES = List.of(
      "x-a", "X-Upper-Case", "x_underscore", "", "a b", "x:colon", "ü", "x-" + "n".repeat(300), "x-" + "n".repeat(250),
      "~!#$&'*+.^_`|", "%", ":authority", "host", "x-\u0001", "content-length", "x-dot.ted");
  static final List<String> HEADER_VALUES = List.of(
      "", "v", "a\tb", " lead", "trail ", "\u007f", "é", "\u0001", "v".repeat(4096), "v".repeat(5000), "a\u0000b", "a\rb",
      "a\nb", "\"quoted\"", "x".repeat(300), "\u00ff", "😀");
  static final List<String> HOSTNAMES = List.of(
      "example.com", "*.example.com", "EXAMPLE.com", "example.com.", "xn--bcher-kva.example", "bücher.example",
      "a".repeat(63) + ".com", "a".repeat(64) + ".com", "a..b", "*", "*.*.x", "-a.com", "1.2.3.4", "localhost",
      ("a".repeat(61) + ".").repeat(4) + "com", "under_score.com", "ex ample.com", "*example.com", "example.com:80");
  static final List<String> DURATIONS = List.of(
      "1ms", "0s", "1h", "3601s", "250ms", "1.5s", "1h30m", "-1s", "10us", "999999999h", "", "1", "60m", "0.001s", "1d");
  static final List<Integer> WEIGHTS = List.of(0, 1, 7, 1_000_000, 1_000_001, -1);
  static final List<Integer> PORTS = List.of(0, 1, 80, 443, 1023, 65535, 65536, -1);

  private final Random random;

  ConfigCorpus(long seed) {
    this.random = new Random(seed);
  }

  /** {@code count} cases: the edge regexes first, each in a route of its own, then random ones. */
  List<Case> cases(int count) {
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      cases.add(next(i));
    }
    return cases;
  }

  private Case next(int i) {
    String name = "k" + i;
    Map<String, String> regexes = new LinkedHashMap<>();
    ObjectNode cluster = MAPPER.createObjectNode().put("name", name);
    cluster.putObject("discovery").putObject("static").putArray("endpoints").addObject().put("address", "127.0.0.1").put("port", 8080);
    if (chance(5)) {
      cluster.put("connectTimeout", edgy("2s", DURATIONS));
    }

    ObjectNode gateway = MAPPER.createObjectNode().put("name", name).put("nodeGroup", name);
    ObjectNode listener = gateway.putArray("listeners").addObject().put("name", "http");
    // Ports are unique per case so many cases fit in one Envoy; the first few take the edge values.
    listener.put("port", i < PORTS.size() ? (int) PORTS.get(i) : 20_000 + i);
    if (chance(6)) {
      listener.putArray("hostnames").add(edgy("*.example.com", HOSTNAMES));
    }

    ObjectNode route = MAPPER.createObjectNode().put("name", name).put("gateway", name);
    if (chance(4)) {
      route.putArray("hostnames").add(edgy("api.example.com", HOSTNAMES));
    }
    ArrayNode rules = route.putArray("rules");
    int ruleCount = 1 + random.nextInt(2);
    for (int r = 0; r < ruleCount; r++) {
      ObjectNode rule = rules.addObject();
      ObjectNode match = rule.putArray("matches").addObject();
      String base = "/rules/" + r + "/matches/0";
      if (i < EDGE_REGEXES.size() && r == 0) {
        match.putObject("path").put("type", "RegularExpression").put("value", EDGE_REGEXES.get(i));
        regexes.put(base + "/path/value", EDGE_REGEXES.get(i));
      } else if (chance(2)) {
        String regex = randomRegex();
        match.putObject("path").put("type", "RegularExpression").put("value", regex);
        regexes.put(base + "/path/value", regex);
      } else {
        match.putObject("path").put("type", chance(2) ? "PathPrefix" : "Exact").put("value", "/p" + r);
      }
      if (chance(3)) {
        ObjectNode header = match.putArray("headers").addObject().put("name", edgy("x-match", HEADER_NAMES));
        if (chance(2)) {
          String regex = chance(5) ? pick(EDGE_REGEXES) : randomRegex();
          header.put("type", "RegularExpression").put("value", regex);
          regexes.put(base + "/headers/0/value", regex);
        } else {
          header.put("value", edgy("v1", HEADER_VALUES));
        }
      }
      if (chance(4)) {
        String regex = randomRegex();
        match.putArray("queryParams").addObject().put("type", "RegularExpression").put("name", "q").put("value", regex);
        regexes.put(base + "/queryParams/0/value", regex);
      }
      if (chance(3)) {
        ObjectNode modifier = rule.putArray("filters").addObject().put("type", "RequestHeaderModifier")
            .putObject("requestHeaderModifier");
        modifier.putArray("set").addObject().put("name", edgy("x-set", HEADER_NAMES)).put("value", edgy("on", HEADER_VALUES));
      }
      if (chance(4)) {
        rule.putObject("timeouts").put("request", edgy("15s", DURATIONS));
      }
      rule.putArray("backendRefs").addObject().put("cluster", name).put("weight", chance(4) ? (int) pick(WEIGHTS) : 1);
    }
    return new Case(name, read(gateway, Gateway.class), read(cluster, Cluster.class), read(route, Route.class), regexes);
  }

  /** A path-like regex of random parts: most are ordinary, some land past Envoy's size limit. */
  private String randomRegex() {
    StringBuilder regex = new StringBuilder();
    if (chance(3)) {
      regex.append('^');
    }
    int parts = 1 + random.nextInt(6);
    for (int p = 0; p < parts; p++) {
      String part = pick(List.of(REGEX_PARTS));
      regex.append(chance(4) ? "(?:" + part + ")" + pick(List.of(QUANTIFIERS)) : part);
    }
    if (chance(3)) {
      regex.append('$');
    }
    return regex.toString();
  }

  /** Mostly the ordinary value, sometimes one of the edge values. */
  private <T> T edgy(T ordinary, List<T> edges) {
    return chance(3) ? pick(edges) : ordinary;
  }

  private boolean chance(int oneIn) {
    return random.nextInt(oneIn) == 0;
  }

  private <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private static <T> T read(ObjectNode node, Class<T> type) {
    try {
      return ConfigJson.json().treeToValue(node, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
