package dev.embassy.e2e.docs;

import dev.embassy.e2e.docs.DocStep.HeaderExpectation;
import dev.embassy.e2e.docs.DocStep.Location;
import dev.embassy.e2e.docs.DocStep.ResponseExpectation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the examples a Markdown page asks the docs test to replay. The convention (also described
 * in docs/contributing-docs.md):
 *
 * <pre>
 * &lt;!-- docs-test: file routes.yaml --&gt;      the next fenced block is a file the reader saves
 * &lt;!-- docs-test: run --&gt;                   the next fenced block is commands the reader runs:
 *   bin/embassyctl ARGS [&gt; FILE]   [# expect exit N | # any other comment]  (default: exit 0)
 *   curl [-s -i -X M -H 'N: V' -d BODY|@FILE] URL   # expect STATUS[; NAME: VALUE|*][; body contains TEXT]
 * &lt;!-- docs-test: not-run (REASON) --&gt;     the next fenced block is not replayed, and REASON says why
 * </pre>
 *
 * A marker that is malformed, not followed by a fence, or a line the test cannot replay is an
 * error naming the page and line, never skipped: an example that cannot be checked is a failure.
 */
public final class DocExampleExtractor {
  private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*docs-test:?(.*?)-->\\s*$");
  private static final Pattern FENCE = Pattern.compile("^(\\s*)(```+)\\s*([A-Za-z0-9_+-]*)\\s*$");
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern EXIT = Pattern.compile("expect exit (\\d+)");
  private static final Pattern STATUS = Pattern.compile("expect ([1-5][0-9][0-9])");
  /** A reason is required, so a block that is not replayed always says why. */
  private static final Pattern NOT_RUN = Pattern.compile("not-run \\(\\S.*\\)");

  private final Map<String, String> variables;

  /** @param variables the shell variables a command may use ({@code $EMBASSY_ADMIN_TOKEN}), by name */
  public DocExampleExtractor(Map<String, String> variables) {
    this.variables = Map.copyOf(variables);
  }

  /** The steps of {@code markdown} (the text of {@code page}), in page order. */
  public List<DocStep> steps(Path page, String markdown) {
    List<DocStep> steps = new ArrayList<>();
    String[] lines = markdown.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      // Only an HTML comment is a marker; prose that mentions one (in backticks) is not.
      if (!lines[i].strip().startsWith("<!--") || !lines[i].contains("docs-test")) {
        continue;
      }
      Matcher marker = MARKER.matcher(lines[i]);
      if (!marker.matches()) {
        throw new DocExampleException(new Location(page, i + 1), "a docs-test marker must be one line: <!-- docs-test: file NAME --> or <!-- docs-test: run -->");
      }
      String[] words = marker.group(1).strip().split("\\s+");
      Location markerAt = new Location(page, i + 1);
      if (i + 1 >= lines.length || !FENCE.matcher(lines[i + 1]).matches()) {
        throw new DocExampleException(markerAt, "a docs-test marker must be followed directly by a fenced code block");
      }
      Matcher open = FENCE.matcher(lines[i + 1]);
      open.matches();
      String indent = open.group(1);
      String fence = open.group(2);
      int first = i + 2;
      int close = first;
      while (close < lines.length && !lines[close].strip().equals(fence)) {
        close++;
      }
      if (close >= lines.length) {
        throw new DocExampleException(markerAt, "the code block after this marker is never closed");
      }
      List<String> body = new ArrayList<>();
      for (int j = first; j < close; j++) {
        body.add(lines[j].startsWith(indent) ? lines[j].substring(indent.length()) : lines[j].strip());
      }
      switch (words[0]) {
        case "file" -> {
          if (words.length != 2 || !FILE_NAME.matcher(words[1]).matches()) {
            throw new DocExampleException(markerAt, "docs-test: file needs one plain file name");
          }
          steps.add(new DocStep.WriteFile(new Location(page, first), words[1], String.join("\n", body) + "\n"));
        }
        case "run" -> {
          if (words.length != 1) {
            throw new DocExampleException(markerAt, "docs-test: run takes no arguments");
          }
          commands(page, first, body, steps);
        }
        case "not-run" -> {
          if (!NOT_RUN.matcher(marker.group(1).strip()).matches()) {
            throw new DocExampleException(markerAt, "docs-test: not-run needs its reason in parentheses: not-run (REASON)");
          }
        }
        default -> throw new DocExampleException(markerAt, "unknown docs-test marker '" + words[0] + "' (file, run or not-run)");
      }
      i = close;
    }
    return steps;
  }

  private void commands(Path page, int firstLine, List<String> body, List<DocStep> steps) {
    for (int j = 0; j < body.size(); j++) {
      Location at = new Location(page, firstLine + j + 1);
      StringBuilder logical = new StringBuilder(body.get(j));
      while (logical.toString().endsWith("\\") && j + 1 < body.size()) {
        logical.setLength(logical.length() - 1);
        logical.append(' ').append(body.get(++j).strip());
      }
      String line = logical.toString().strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int hash = commentStart(line);
      String command = hash < 0 ? line : line.substring(0, hash).strip();
      String comment = hash < 0 ? "" : line.substring(hash + 1).strip();
      try {
        steps.add(command(at, command, comment));
      } catch (IllegalArgumentException e) {
        throw new DocExampleException(at, e.getMessage());
      }
    }
  }

  private DocStep command(Location at, String command, String comment) {
    List<String> words = new ArrayList<>(ShellWords.split(command, variables));
    String program = words.removeFirst();
    switch (program) {
      case "bin/embassyctl", "embassyctl" -> {
        Optional<String> stdoutTo = Optional.empty();
        int redirect = words.indexOf(">");
        if (redirect >= 0) {
          if (redirect != words.size() - 2 || !FILE_NAME.matcher(words.getLast()).matches()) {
            throw new IllegalArgumentException("only a final '> FILE' redirect is replayed");
          }
          stdoutTo = Optional.of(words.getLast());
          words = words.subList(0, redirect);
        }
        int exit = 0;
        if (comment.startsWith("expect")) {
          Matcher m = EXIT.matcher(comment);
          if (!m.matches()) {
            throw new IllegalArgumentException("an embassyctl line's comment must be '# expect exit N', got '# " + comment + "'");
          }
          exit = Integer.parseInt(m.group(1));
        }
        return new DocStep.RunCtl(at, List.copyOf(words), stdoutTo, exit);
      }
      case "curl" -> {
        return new DocStep.SendRequest(at, CurlCommand.parse(words), responseExpectation(comment));
      }
      default -> throw new IllegalArgumentException("the docs test replays only bin/embassyctl and curl, not " + program);
    }
  }

  /** {@code expect 200; x-backend: demo-1; retry-after: *; body contains demo}. */
  static ResponseExpectation responseExpectation(String comment) {
    String[] parts = comment.split(";\\s+"); // "; " separates, so a value may hold ";" (RateLimit-Policy: 3;w=60)
    Matcher status = STATUS.matcher(parts[0].strip());
    if (!status.matches()) {
      throw new IllegalArgumentException("a curl line must end with '# expect STATUS', got '# " + comment + "'");
    }
    List<HeaderExpectation> headers = new ArrayList<>();
    List<String> bodyContains = new ArrayList<>();
    for (int k = 1; k < parts.length; k++) {
      String part = parts[k].strip();
      if (part.startsWith("body contains ")) {
        bodyContains.add(part.substring("body contains ".length()).strip());
        continue;
      }
      int colon = part.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("expectation '" + part + "' is neither 'NAME: VALUE', 'NAME: *' nor 'body contains TEXT'");
      }
      String value = part.substring(colon + 1).strip();
      headers.add(new HeaderExpectation(part.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT),
          value.equals("*") ? Optional.empty() : Optional.of(value)));
    }
    return new ResponseExpectation(Integer.parseInt(status.group(1)), List.copyOf(headers), List.copyOf(bodyContains));
  }

  /** Index of the '#' starting a shell comment (unquoted, at a word start), or -1. */
  private static int commentStart(String line) {
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"') {
          i++;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '\\') {
        i++;
      } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return i;
      }
    }
    return -1;
  }
}
