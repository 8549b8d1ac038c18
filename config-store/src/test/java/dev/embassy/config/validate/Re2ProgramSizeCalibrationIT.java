package dev.embassy.config.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embassy.testsupport.EnvoyProcess;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * Calibrates {@link Re2ProgramSize} against Envoy's own RE2: a few hundred random regexes go
 * into one static bootstrap whose runtime sets {@code re2.max_program_size.warn_level} to 0
 * (and the error level out of reach), so {@code envoy --mode validate} logs the true program
 * size of every regex ("regex '...' RE2 program size of N > max program size of 0 set for the
 * warn level threshold") and still accepts the config. The estimate must never be below the
 * true size; the slack is printed.
 */
class Re2ProgramSizeCalibrationIT {
  /** Another seed or size: -Dembassy.calibration.seed=7 -Dembassy.calibration.count=2000. */
  private static final long SEED = Long.getLong("embassy.calibration.seed", 13);
  private static final int COUNT = Integer.getInteger("embassy.calibration.count", 400);
  private static final java.util.regex.Pattern SIZE_LINE =
      java.util.regex.Pattern.compile("regex '(.*)' RE2 program size of (\\d+) > max program size of 0 set for the warn level");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void estimateIsNeverBelowEnvoysProgramSize() throws Exception {
    Random random = new Random(SEED);
    Set<String> regexes = new LinkedHashSet<>();
    while (regexes.size() < COUNT) {
      String regex = new RegexGenerator(random).regex();
      // Only regexes Envoy compiles: the others would stop validation at the first one.
      if (Re2Rules.refusal(regex).filter(r -> !r.startsWith("RE2 program size")).isEmpty()) {
        regexes.add(regex);
      }
    }
    EnvoyProcess.Validation validation = EnvoyProcess.validate(bootstrap(regexes));
    assertThat(validation.accepted()).as(validation.output()).isTrue();
    Map<String, Long> envoy = new HashMap<>();
    for (String line : validation.output().split("\n")) {
      Matcher m = SIZE_LINE.matcher(line);
      if (m.find()) {
        envoy.put(m.group(1), Long.parseLong(m.group(2)));
      }
    }
    List<String> below = new ArrayList<>();
    List<Long> slack = new ArrayList<>();
    int falseRefusals = 0;
    int accepted = 0;
    for (String regex : regexes) {
      assertThat(envoy).as("Envoy reported no size for " + regex).containsKey(regex);
      long truth = envoy.get(regex);
      long estimate = Re2ProgramSize.estimate(Re2Parser.parse(regex));
      if (estimate < truth) {
        below.add(regex + " estimate " + estimate + " < Envoy " + truth);
      }
      slack.add(estimate - truth);
      if (truth <= Re2Rules.MAX_PROGRAM_SIZE) {
        accepted++;
        if (estimate > Re2Rules.MAX_PROGRAM_SIZE) {
          falseRefusals++;
          System.out.printf("refused by the estimate (%d), accepted by Envoy (%d): %s%n", estimate, truth, regex);
        }
      }
    }
    slack.sort(Long::compare);
    System.out.printf("RE2 program size calibration: %d regexes (seed %d), slack estimate-true: min %d, median %d, p90 %d, max %d;"
            + " %d within Envoy's limit of 100, %d of them refused by the estimate%n",
        regexes.size(), SEED, slack.getFirst(), slack.get(slack.size() / 2), slack.get(slack.size() * 9 / 10), slack.getLast(),
        accepted, falseRefusals);
    assertThat(below).as("estimates below Envoy's program size").isEmpty();
  }

  private static String bootstrap(Set<String> regexes) throws Exception {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("admin").putObject("address").putObject("socket_address").put("address", "127.0.0.1").put("port_value", 0);
    ObjectNode layer = root.putObject("layered_runtime").putArray("layers").addObject();
    layer.put("name", "calibration");
    layer.putObject("static_layer").put("re2.max_program_size.warn_level", 0).put("re2.max_program_size.error_level", 1_000_000_000);
    ObjectNode listener = root.putObject("static_resources").putArray("listeners").addObject();
    listener.put("name", "calibration");
    listener.putObject("address").putObject("socket_address").put("address", "127.0.0.1").put("port_value", 10001);
    ObjectNode hcm = listener.putArray("filter_chains").addObject().putArray("filters").addObject();
    hcm.put("name", "envoy.filters.network.http_connection_manager");
    ObjectNode config = hcm.putObject("typed_config");
    config.put("@type", "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager");
    config.put("stat_prefix", "calibration");
    ObjectNode router = config.putArray("http_filters").addObject();
    router.put("name", "envoy.filters.http.router");
    router.putObject("typed_config").put("@type", "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router");
    ObjectNode host = config.putObject("route_config").putArray("virtual_hosts").addObject();
    host.put("name", "calibration");
    host.putArray("domains").add("*");
    ArrayNode routes = host.putArray("routes");
    for (String regex : regexes) {
      ObjectNode route = routes.addObject();
      route.putObject("match").putObject("safe_regex").put("regex", regex);
      route.putObject("direct_response").put("status", 200);
    }
    return JSON.writeValueAsString(root);
  }

  /** Random regexes over RE2's syntax, weighted towards what route matches use. */
  private record RegexGenerator(Random random) {
    private static final String[] ATOMS = {
        "a", "/", "-", "api", "v1", "\\.", "\\/", "é", "中", "😀", "\\x{2603}", ".", "(?s:.)", "\\d", "\\w", "\\s", "\\D", "\\W",
        "[a-z]", "[A-Z]", "[0-9]", "[^/]", "[0-9a-f]", "[a-zA-Z0-9_-]", "[^a-z]", "[[:alpha:]]", "[[:^digit:]]", "\\pN", "\\pZ",
        "\\p{Greek}", "[é-ü]", "[\\x{100}-\\x{2000}]", "(?i:k)", "(?i:s)", "(?i:[a-f])", "(?i:é)", "(?i:abc)", "\\C", "\\b", "^", "$",
        "\\Q.*\\E", "[\\d.]", "\\x41", "\\0101"};

    String regex() {
      StringBuilder out = new StringBuilder();
      if (random.nextInt(3) == 0) {
        out.append('^');
      }
      out.append(sequence(0));
      if (random.nextInt(3) == 0) {
        out.append('$');
      }
      return out.toString();
    }

    private String sequence(int depth) {
      StringBuilder out = new StringBuilder();
      int items = 1 + random.nextInt(depth == 0 ? 5 : 3);
      for (int i = 0; i < items; i++) {
        out.append(repeated(depth));
      }
      return out.toString();
    }

    private String repeated(int depth) {
      String atom = depth < 2 && random.nextInt(4) == 0 ? group(depth + 1) : ATOMS[random.nextInt(ATOMS.length)];
      return switch (random.nextInt(10)) {
        case 0 -> atom + "*";
        case 1 -> atom + "+";
        case 2 -> atom + "?";
        case 3 -> atom + "{" + random.nextInt(6) + "}";
        case 4 -> atom + "{" + random.nextInt(4) + ",}";
        case 5 -> {
          int min = random.nextInt(4);
          yield atom + "{" + min + "," + (min + random.nextInt(5)) + "}" + (random.nextBoolean() ? "?" : "");
        }
        case 6 -> atom + "*?";
        default -> atom;
      };
    }

    private String group(int depth) {
      StringBuilder out = new StringBuilder(random.nextBoolean() ? "(" : "(?:");
      int alternatives = 1 + random.nextInt(3);
      for (int i = 0; i < alternatives; i++) {
        if (i > 0) {
          out.append('|');
        }
        out.append(random.nextInt(8) == 0 ? "" : sequence(depth));
      }
      return out.append(')').toString();
    }
  }
}
