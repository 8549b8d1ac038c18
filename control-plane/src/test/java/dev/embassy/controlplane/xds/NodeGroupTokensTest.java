package dev.embassy.controlplane.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embassy.testsupport.DocSnippets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeGroupTokensTest {
  @TempDir Path dir;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void aTokenBelongsToTheGroupItsDigestIsListedFor() throws Exception {
    // Digests as sha256sum prints them, or upper-case.
    Path file = Files.writeString(dir.resolve("tokens"), """
        # rotation: both of edge's tokens are valid until the old line goes
        edge      sha256:%s
        edge      sha256:%s
        payments  sha256:%s
        """.formatted(NodeGroupAuthorizationTest.sha256("old"), NodeGroupAuthorizationTest.sha256("new"),
        NodeGroupAuthorizationTest.sha256("pay").toUpperCase()));
    try (NodeGroupTokens tokens = new NodeGroupTokens(file, 60_000, scheduler)) {
      assertThat(tokens.nodeGroup("old")).hasValue("edge");
      assertThat(tokens.nodeGroup("new")).hasValue("edge");
      assertThat(tokens.nodeGroup("pay")).hasValue("payments");
      assertThat(tokens.nodeGroup("other")).isEmpty();
    }
  }

  /** docs/operations/secure-channels.md's example file, as an operator would save it, is read line by line. */
  @Test
  void theDocumentedFileIsReadAsItIsShown() throws Exception {
    String documented = DocSnippets.block("operations/secure-channels.md", "node-tokens-file");
    Map<String, String> groups = NodeGroupTokens.parse(Files.writeString(dir.resolve("node-tokens"), documented));
    Map<String, String> shown = new HashMap<>();
    for (String line : documented.split("\n")) {
      String[] columns = line.strip().split("\\s+");
      if (!line.isBlank() && !line.strip().startsWith("#")) {
        shown.put(columns[1].substring("sha256:".length()), columns[0]);
      }
    }
    assertThat(shown).as("the page shows some digests").isNotEmpty();
    assertThat(groups).as("every line the page shows, digest to node group").isEqualTo(shown);
  }

  @Test
  void aLineThatIsNotADigestIsRefusedWithoutQuotingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("tokens"), "edge a-plain-secret-token\n");
    assertThatThrownBy(() -> NodeGroupTokens.parse(file)).hasMessageContaining("line 1").hasMessageNotContaining("a-plain-secret-token");
  }

  @Test
  void aChangedFileIsReloadedAndABrokenOneLeavesTheLastGoodInForce() throws Exception {
    Path file = Files.writeString(dir.resolve("tokens"), "edge sha256:" + NodeGroupAuthorizationTest.sha256("one") + "\n");
    try (NodeGroupTokens tokens = new NodeGroupTokens(file, 60_000, scheduler)) {
      Files.writeString(file, "edge sha256:" + NodeGroupAuthorizationTest.sha256("two") + "\n");
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
      tokens.reloadIfChanged();
      assertThat(tokens.nodeGroup("two")).hasValue("edge");
      assertThat(tokens.nodeGroup("one")).isEmpty();

      Files.writeString(file, "edge not-a-digest\n");
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
      tokens.reloadIfChanged();
      assertThat(tokens.nodeGroup("two")).hasValue("edge");
    }
  }
}
