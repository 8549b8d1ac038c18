package dev.embassy.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders an Envoy bootstrap template from envoy/bootstrap. Placeholders are {@code ${NAME}},
 * the same syntax envoy/run fills in, so tests and the stack use identical files.
 */
public final class BootstrapTemplate {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)}");

  private BootstrapTemplate() {}

  public static String render(Path template, Map<String, String> values) {
    String text;
    try {
      text = Files.readString(template);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bootstrap template " + template, e);
    }
    return render(text, values, template.toString());
  }

  /** Fills {@code text}'s placeholders; {@code source} names it in the error for a missing value. */
  public static String render(String text, Map<String, String> values, String source) {
    TreeSet<String> missing = new TreeSet<>();
    Matcher matcher = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = values.get(matcher.group(1));
      if (value == null) {
        missing.add(matcher.group(1));
        value = matcher.group();
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(source + " needs values for " + missing);
    }
    return out.toString();
  }
}
