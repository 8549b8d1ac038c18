package dev.embassy.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Code blocks that a doc under docs/ marks with {@code <!-- snippet: NAME ... -->} on the line
 * before the fence, so a test applies the example that operators copy, not a copy of it.
 */
public final class DocSnippets {
  private DocSnippets() {}

  /** The body of the fenced block marked {@code name} in {@code docs/<doc>}. */
  public static String block(String doc, String name) {
    Path file = RepoPaths.root().resolve("docs").resolve(doc);
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    Matcher block = Pattern.compile("<!-- snippet: " + Pattern.quote(name) + "\\b[^\\n]*-->\\n```[a-z]*\\n(.*?)```", Pattern.DOTALL).matcher(text);
    if (!block.find()) {
      throw new IllegalStateException(file + " has no code block marked <!-- snippet: " + name + " -->");
    }
    return block.group(1);
  }

  /** A marked shell block of {@code NAME=value} lines, as a map (comments after the value dropped). */
  public static Map<String, String> variables(String doc, String name) {
    Map<String, String> variables = new LinkedHashMap<>();
    for (String line : block(doc, name).split("\n")) {
      String assignment = line.replaceFirst("\\s+#.*$", "").strip();
      int equals = assignment.indexOf('=');
      if (!assignment.isEmpty() && !assignment.startsWith("#") && equals > 0) {
        variables.put(assignment.substring(0, equals), assignment.substring(equals + 1));
      }
    }
    return variables;
  }
}
