package dev.embassy.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.testsupport.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps issue 16's rule true without starting anything: every fenced block under docs/ says how it
 * is tested (docs/contributing-docs.md). Either DocsExamplesIT replays it ({@code docs-test: file}
 * or {@code run}), a named test reads it ({@code snippet: NAME}), or it says why neither happens
 * ({@code docs-test: not-run (REASON)}). A snippet that no test reads would be a claim of testing
 * with nothing behind it, so it fails here too.
 */
class DocsMarkersTest {
  private static final Pattern FENCE = Pattern.compile("^(\\s*)(```+|~~~+).*$");
  private static final Pattern DOCS_TEST = Pattern.compile("^\\s*<!--\\s*docs-test:.*-->\\s*$");
  private static final Pattern SNIPPET = Pattern.compile("^\\s*<!-- snippet: ([A-Za-z0-9][A-Za-z0-9._-]*)\\b[^\\n]*-->\\s*$");
  /** Where a test names the snippet it reads: {@code DocSnippets.block(DOC, "name")} or {@code variables(...)}. */
  private static final Pattern SNIPPET_READ = Pattern.compile("\\bDocSnippets\\.(?:block|variables)\\(");

  private record Snippet(String page, String name, int line) {}

  @Test
  void everyFencedBlockUnderDocsSaysHowItIsTested() throws IOException {
    List<String> unmarked = new ArrayList<>();
    for (Path page : pages()) {
      String[] lines = Files.readString(page).split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        Matcher open = FENCE.matcher(lines[i]);
        if (!open.matches()) {
          continue;
        }
        String before = i > 0 ? lines[i - 1] : "";
        if (!DOCS_TEST.matcher(before).matches() && !SNIPPET.matcher(before).matches()) {
          unmarked.add(docs().relativize(page) + ":" + (i + 1) + " " + lines[i].strip());
        }
        i = closingFence(lines, i, open.group(2), page);
      }
    }
    assertThat(unmarked).as("fenced blocks with neither <!-- docs-test: file|run|not-run (REASON) --> nor <!-- snippet: NAME --> "
        + "on the line before (docs/contributing-docs.md)").isEmpty();
  }

  /** The docs-test markers themselves are well formed; the extractor refuses a bad one at its line. */
  @Test
  void everyDocsTestMarkerParses() throws IOException {
    DocExampleExtractor extractor = new DocExampleExtractor(Map.of("EMBASSY_ADMIN_TOKEN", "guard-test-token"));
    List<String> refused = new ArrayList<>();
    for (Path page : pages()) {
      try {
        extractor.steps(RepoPaths.root().relativize(page), Files.readString(page));
      } catch (DocExampleException e) {
        refused.add(e.getMessage());
      }
    }
    assertThat(refused).isEmpty();
  }

  @Test
  void everySnippetIsReadByATestThatNamesItsPage() throws IOException {
    List<Snippet> snippets = new ArrayList<>();
    for (Path page : pages()) {
      String[] lines = Files.readString(page).split("\n", -1);
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < lines.length; i++) {
        Matcher snippet = SNIPPET.matcher(lines[i]);
        if (snippet.matches()) {
          String name = docs().relativize(page).toString();
          assertThat(seen.add(snippet.group(1))).as("%s:%d: snippet %s is marked twice on the page; DocSnippets reads only the first",
              name, i + 1, snippet.group(1)).isTrue();
          snippets.add(new Snippet(name, snippet.group(1), i + 1));
        }
      }
    }
    List<String> sources = testSourcesReadingSnippets();
    List<String> unread = new ArrayList<>();
    for (Snippet snippet : snippets) {
      boolean read = sources.stream().anyMatch(s -> s.contains("\"" + snippet.page() + "\"") && s.contains("\"" + snippet.name() + "\""));
      if (!read) {
        unread.add("docs/" + snippet.page() + ":" + snippet.line() + " snippet " + snippet.name());
      }
    }
    System.out.printf("docs markers: %d snippets, each read by a test that names its page%n", snippets.size());
    assertThat(snippets).as("the snippet markers this test knows how to find").isNotEmpty();
    assertThat(unread).as("snippets that no test source reads with DocSnippets (page and name both quoted in one file)").isEmpty();
  }

  /** The guard's own fence scan: a block left open is a page error, not the rest of the page skipped. */
  @Test
  void aBlockWithoutMarkerAndAnUnclosedBlockAreFound() {
    String[] lines = "text\n```sh\nrun\n```\n<!-- docs-test: not-run (a reason) -->\n```\nopen".split("\n", -1);
    Matcher open = FENCE.matcher(lines[1]);
    assertThat(open.matches()).isTrue();
    assertThat(DOCS_TEST.matcher(lines[0]).matches() || SNIPPET.matcher(lines[0]).matches()).isFalse();
    assertThat(closingFence(lines, 1, open.group(2), Path.of("page.md"))).isEqualTo(3);
    assertThat(DOCS_TEST.matcher(lines[4]).matches()).isTrue();
    assertThat(SNIPPET.matcher("<!-- snippet: realm (KeycloakGuideIT imports it) -->").matches()).isTrue();
    assertThat(SNIPPET.matcher("<!-- snippet: -->").matches()).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> closingFence(lines, 5, "```", Path.of("page.md")))
        .hasMessageContaining("page.md:6").hasMessageContaining("never closed");
  }

  private static int closingFence(String[] lines, int open, String fence, Path page) {
    for (int j = open + 1; j < lines.length; j++) {
      if (lines[j].strip().equals(fence)) {
        return j;
      }
    }
    throw new AssertionError(page + ":" + (open + 1) + ": this fenced block is never closed");
  }

  private static Path docs() {
    return RepoPaths.root().resolve("docs");
  }

  private static List<Path> pages() throws IOException {
    try (Stream<Path> walk = Files.walk(docs())) {
      List<Path> pages = walk.filter(p -> p.toString().endsWith(".md")).sorted().toList();
      assertThat(pages).as("pages under docs/").isNotEmpty();
      return pages;
    }
  }

  /** Every module's test sources that call DocSnippets, as text. */
  private static List<String> testSourcesReadingSnippets() throws IOException {
    List<String> sources = new ArrayList<>();
    try (Stream<Path> modules = Files.list(RepoPaths.root())) {
      for (Path tests : modules.map(m -> m.resolve("src/test/java")).filter(Files::isDirectory).toList()) {
        try (Stream<Path> files = Files.walk(tests)) {
          for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
            String text = Files.readString(file);
            if (SNIPPET_READ.matcher(text).find()) {
              sources.add(text);
            }
          }
        }
      }
    }
    return sources;
  }
}
