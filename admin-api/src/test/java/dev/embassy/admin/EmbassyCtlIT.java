package dev.embassy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.embassy.admin.cli.EmbassyCtl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** embassyctl against the real server: the GitOps loop of diff, apply, dump and rollback. */
class EmbassyCtlIT extends AdminApiTestCase {
  @TempDir Path dir;

  private record Run(int status, String out, String err) {}

  private Run ctl(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = EmbassyCtl.run(args, Map.of("EMBASSY_ADMIN_URL", api.baseUrl(), "EMBASSY_ADMIN_TOKEN", AdminApiFixture.ADMIN_TOKEN),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void diffApplyDumpRollback() throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, DeclarativeApplyIT.YAML);

    Run diff = ctl("diff", "-f", file.toString());
    assertThat(diff.status()).as(diff.err()).isZero();
    assertThat(diff.out()).contains("+ clusters/web", "+ routes/web", "3 to create");
    assertThat(api.get("/api/v1/revisions").json().path("items")).isEmpty();

    Run apply = ctl("apply", "-f", file.toString());
    assertThat(apply.out()).contains("apply: revision 1");
    assertThat(ctl("apply", "-f", file.toString()).out()).contains("already up to date");

    Files.writeString(file, DeclarativeApplyIT.YAML.replace("port: 8080", "port: 9090"));
    Run update = ctl("diff", "-f", file.toString());
    assertThat(update.out()).contains("~ clusters/web", "/discovery/static/endpoints: ");
    ctl("apply", "-f", file.toString());

    Run dump = ctl("dump");
    assertThat(dump.out()).contains("port: 9090");
    Path dumped = dir.resolve("dump.yaml");
    Files.writeString(dumped, dump.out());
    assertThat(ctl("diff", "-f", dumped.toString(), "--prune").out()).contains("0 to create, 0 to update, 0 to delete");

    Run rollback = ctl("rollback", "1");
    assertThat(rollback.out()).contains("rollback: revision 3 equals revision 1");
    assertThat(ctl("dump").out()).contains("port: 8080");
  }

  @Test
  void refusalsPrintTheProblemAndExitNonZero() throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"clusters\":[{\"name\":\"Bad Name\",\"discovery\":{\"consul\":{\"service\":\"s\"}}}]}");
    Run rejected = ctl("apply", "-f", file.toString());
    assertThat(rejected.status()).isEqualTo(1);
    assertThat(rejected.err()).contains("422", "/clusters/0/name");
    assertThat(ctl("rollback", "x").status()).isEqualTo(2);
    assertThat(ctl("frobnicate").status()).isEqualTo(2);
  }
}
