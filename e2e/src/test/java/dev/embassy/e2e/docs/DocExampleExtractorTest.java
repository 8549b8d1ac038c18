package dev.embassy.e2e.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DocExampleExtractorTest {
  private static final Path PAGE = Path.of("docs/page.md");
  private final DocExampleExtractor extractor = new DocExampleExtractor(Map.of("EMBASSY_ADMIN_TOKEN", "secret-token"));

  @Test
  void findsFilesCommandsAndExpectationsInPageOrder() {
    List<DocStep> steps = extractor.steps(PAGE, """
        # Title
        ```yaml
        not: marked, so not replayed
        ```
        <!-- docs-test: file routes.yaml -->
        ```yaml
        routes: []
        ```
        1. Then:

            <!-- docs-test: run -->
            ```sh
            # a comment line
            bin/embassyctl apply -f routes.yaml --prune
            bin/embassyctl dump > backup.yaml   # a free comment
            bin/embassyctl rollback 999   # expect exit 1
            curl -si -H 'x-tier: gold' \\
                 http://127.0.0.1:10000/m   # expect 200; x-backend: demo-1; retry-after: *; body contains "backend"
            curl -X PUT -H "Authorization: Bearer $EMBASSY_ADMIN_TOKEN" --data-binary @route.json "http://127.0.0.1:8001/api/v1/routes/a?wait=5s"   # expect 201
            ```
        """);
    assertThat(steps).hasSize(6);
    assertThat(steps.get(0)).isEqualTo(new DocStep.WriteFile(new DocStep.Location(PAGE, 6), "routes.yaml", "routes: []\n"));
    assertThat(steps.get(1)).isEqualTo(new DocStep.RunCtl(new DocStep.Location(PAGE, 14), List.of("apply", "-f", "routes.yaml", "--prune"), Optional.empty(), 0));
    assertThat(steps.get(2)).isEqualTo(new DocStep.RunCtl(new DocStep.Location(PAGE, 15), List.of("dump"), Optional.of("backup.yaml"), 0));
    assertThat(((DocStep.RunCtl) steps.get(3)).expectedExit()).isEqualTo(1);
    DocStep.SendRequest curl = (DocStep.SendRequest) steps.get(4);
    assertThat(curl.at().line()).isEqualTo(17);
    assertThat(curl.request()).isEqualTo(new CurlCommand("GET", "http://127.0.0.1:10000/m", List.of(Map.entry("x-tier", "gold")), Optional.empty(), Optional.empty()));
    assertThat(curl.expected()).isEqualTo(new DocStep.ResponseExpectation(200, List.of(
        new DocStep.HeaderExpectation("x-backend", Optional.of("demo-1")), new DocStep.HeaderExpectation("retry-after", Optional.empty())),
        List.of("\"backend\"")));
    DocStep.SendRequest put = (DocStep.SendRequest) steps.get(5);
    assertThat(put.request().method()).isEqualTo("PUT");
    assertThat(put.request().headers()).containsExactly(Map.entry("Authorization", "Bearer secret-token"));
    assertThat(put.request().bodyFile()).contains("route.json");
    assertThat(put.request().url()).isEqualTo("http://127.0.0.1:8001/api/v1/routes/a?wait=5s");
    assertThat(put.expected().status()).isEqualTo(201);
  }

  @Test
  void refusesWhatItCannotReplayAndNamesTheLine() {
    assertRefused("<!-- docs-test: run -->\n```sh\ncurl http://127.0.0.1:10000/\n```\n", "page.md:3", "must end with '# expect STATUS'");
    assertRefused("<!-- docs-test: run -->\n```sh\ncurl -L http://127.0.0.1:10000/   # expect 200\n```\n", "page.md:3", "curl option -L");
    assertRefused("<!-- docs-test: run -->\n```sh\ncurl http://127.0.0.1:10000/ | jq .   # expect 200\n```\n", "page.md:3", "shell operator |");
    assertRefused("<!-- docs-test: run -->\n```sh\ncurl -H \"x: $HOME\" http://127.0.0.1:10000/   # expect 200\n```\n", "page.md:3", "$HOME is not a variable");
    assertRefused("<!-- docs-test: run -->\n```sh\nkubectl apply -f x.yaml\n```\n", "page.md:3", "replays only bin/embassyctl and curl");
    assertRefused("<!-- docs-test: run -->\n```sh\nbin/embassyctl dump   # expect exit zero\n```\n", "page.md:3", "must be '# expect exit N'");
    assertRefused("<!-- docs-test: run -->\n\n```sh\n```\n", "page.md:1", "followed directly by a fenced code block");
    assertRefused("<!-- docs-test: file -->\n```yaml\n```\n", "page.md:1", "needs one plain file name");
    assertRefused("<!-- docs-test: file ../etc/passwd -->\n```yaml\n```\n", "page.md:1", "needs one plain file name");
    assertRefused("<!-- docs-test: apply -->\n```yaml\n```\n", "page.md:1", "unknown docs-test marker 'apply'");
    assertRefused("<!-- docs-test: not-run -->\n```sh\nhelm install x\n```\n", "page.md:1", "needs its reason in parentheses");
    assertRefused("<!-- docs-test: not-run () -->\n```sh\nhelm install x\n```\n", "page.md:1", "needs its reason in parentheses");
    assertRefused("<!-- docs-test: not-run (no cluster) -->\n\n```sh\n```\n", "page.md:1", "followed directly by a fenced code block");
    assertRefused("<!-- docs-test: run -->\n```sh\ncurl http://127.0.0.1:10000/   # expect 200\n", "page.md:1", "never closed");
    assertRefused("text\n<!-- docs-test: run\n-->\n", "page.md:2", "must be one line");
    assertRefused("<!-- docs-test: run -->\n```sh\ncurl https://shop.example.com:10443/   # expect 200\n```\n", "page.md:3",
        "needs --cacert and --connect-to");
    assertRefused("<!-- docs-test: run -->\n```sh\ncurl --cacert ca.pem http://127.0.0.1:10000/   # expect 200\n```\n", "page.md:3",
        "TLS options with an http:// URL");
    assertRefused("<!-- docs-test: run -->\n```sh\ncurl --cacert ca.pem --cert c.pem --connect-to a.test:443:127.0.0.1:10443 https://a.test:443/"
        + "   # expect 200\n```\n", "page.md:3", "--cert and --key go together");
  }

  @Test
  void aNotRunBlockWithItsReasonIsNotReplayedAndTheNextMarkerStillIs() {
    List<DocStep> steps = extractor.steps(PAGE, """
        <!-- docs-test: not-run (needs a Kubernetes cluster) -->
        ```sh
        helm install embassy deploy/helm/embassy
        ```
        <!-- docs-test: run -->
        ```sh
        bin/embassyctl dump
        ```
        """);
    assertThat(steps).hasSize(1);
    assertThat(((DocStep.RunCtl) steps.getFirst()).args()).containsExactly("dump");
    assertThat(steps.getFirst().at().line()).isEqualTo(7);
  }

  @Test
  void readsCurlsTlsOptions() {
    List<DocStep> steps = extractor.steps(PAGE, """
        <!-- docs-test: run -->
        ```sh
        curl -i --cacert ca.pem --cert c.pem --key c.key --connect-to shop.example.com:10443:127.0.0.1:10443 https://shop.example.com:10443/x   # expect 200
        ```
        """);
    CurlCommand curl = ((DocStep.SendRequest) steps.getFirst()).request();
    assertThat(curl.url()).isEqualTo("https://shop.example.com:10443/x");
    assertThat(curl.tls()).contains(new CurlCommand.Tls("ca.pem", Optional.of("c.pem"), Optional.of("c.key"), "shop.example.com:10443:127.0.0.1:10443"));
  }

  @Test
  void theRunnerMovesOnlyDocumentedPortsAndRefusesOthers() {
    DocExampleRunner runner = new DocExampleRunner(Map.of(10000, 41000, 8088, 41001), "http://127.0.0.1:1", "t", () -> {});
    assertThat(runner.movePorts("listeners: [{name: http, port: 10000}]\n{address: 127.0.0.1, port: 8088}\nhttp://127.0.0.1:10000/x"))
        .isEqualTo("listeners: [{name: http, port: 41000}]\n{address: 127.0.0.1, port: 41001}\nhttp://127.0.0.1:41000/x");
    assertThat(runner.movePorts("requests: 5, window: 10s")).isEqualTo("requests: 5, window: 10s");
    assertThatThrownBy(() -> runner.movePorts("{address: 127.0.0.1, port: 5432}")).hasMessageContaining("port 5432 is not one the docs test maps");
  }

  private void assertRefused(String markdown, String where, String problem) {
    assertThatThrownBy(() -> extractor.steps(PAGE, markdown)).isInstanceOf(DocExampleException.class)
        .hasMessageContaining(where).hasMessageContaining(problem);
  }
}
