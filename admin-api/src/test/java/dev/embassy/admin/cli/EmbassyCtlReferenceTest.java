package dev.embassy.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.testsupport.DocSnippets;
import dev.embassy.testsupport.RepoPaths;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/reference/embassyctl.md against the CLI itself: the usage line it prints is the page's
 * {@code usage} block, verbatim, every command in it has its own section, every flag in it is described, and the
 * page names no flag the CLI does not have.
 */
class EmbassyCtlReferenceTest {
  private static final Pattern FLAG = Pattern.compile("(?<![\\w-])(--?[a-z][a-z-]*)");

  @Test
  void theReferencePageDescribesExactlyTheCommandsAndFlagsOfTheCli() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = EmbassyCtl.run(new String[0], Map.of(), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit).isEqualTo(2);
    String usage = err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("usage: ")).findFirst().orElseThrow();
    String page = Files.readString(RepoPaths.root().resolve("docs/reference/embassyctl.md"));

    assertThat(DocSnippets.block("reference/embassyctl.md", "usage").strip()).as("the page's usage block is the CLI's usage line").isEqualTo(usage);

    Set<String> commands = new TreeSet<>();
    Matcher command = Pattern.compile("(?:^|\\| |\\] )([a-z]+(?:\\|[a-z]+)*) (?=-f|\\[|N)").matcher(usage.substring("usage: embassyctl ".length()));
    while (command.find()) {
      commands.addAll(Set.of(command.group(1).split("\\|")));
    }
    assertThat(commands).containsExactlyInAnyOrder("apply", "diff", "dump", "rollback");
    for (String name : commands) {
      assertThat(page).as("a section for " + name).contains("\n## " + name + "\n");
    }

    Set<String> cliFlags = flags(usage);
    Set<String> pageFlags = new TreeSet<>();
    Matcher code = Pattern.compile("`([^`\\n]+)`").matcher(page);
    while (code.find()) {
      if (code.group(1).startsWith("-") || code.group(1).startsWith("embassyctl ")) {
        pageFlags.addAll(flags(code.group(1)));
      }
    }
    assertThat(cliFlags).containsExactlyInAnyOrder("--url", "--token", "--cacert", "-f", "--prune", "--format");
    assertThat(pageFlags).as("flags the page describes").isEqualTo(cliFlags);
  }

  private static Set<String> flags(String text) {
    Set<String> flags = new TreeSet<>();
    Matcher m = FLAG.matcher(text);
    while (m.find()) {
      flags.add(m.group(1));
    }
    return flags;
  }
}
