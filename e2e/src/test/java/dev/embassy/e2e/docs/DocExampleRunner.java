package dev.embassy.e2e.docs;

import dev.embassy.admin.cli.EmbassyCtl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replays a page's steps against a running stack, in page order, and says which step first failed
 * and why (a page stops at its first failure, since later steps build on earlier ones).
 *
 * <p>Pages are written for the stack {@code deploy/up} starts, so a reader can paste them as they
 * are; the runner moves the documented ports ({@code 127.0.0.1:10000}, {@code port: 8088}, ...) to
 * the ports the test stack listens on. A documented port the runner does not know is a failure,
 * never a request to whatever happens to listen there.
 */
public final class DocExampleRunner {
  /** {@code port: 10000}, {@code adminPort: 9901}, {@code 127.0.0.1:8001}: where a page names a port. */
  private static final Pattern PORT = Pattern.compile("(127\\.0\\.0\\.1:|localhost:|[pP]ort: ?)(\\d{2,5})\\b");

  /** What the runner waits for after a write, so the next request meets the new config. */
  @FunctionalInterface
  public interface ConfigBarrier {
    void awaitLatestRevisionLive() throws Exception;
  }

  /** A failed step: where it is written and what went wrong. */
  public record Failure(DocStep.Location at, String problem) {
    @Override
    public String toString() {
      return at + ": " + problem;
    }
  }

  private final Map<Integer, Integer> ports;
  private final String adminUrl;
  private final String adminToken;
  private final ConfigBarrier barrier;

  /**
   * @param ports documented port → the test stack's port
   * @param adminUrl the admin API embassyctl talks to (as EMBASSY_ADMIN_URL)
   */
  public DocExampleRunner(Map<Integer, Integer> ports, String adminUrl, String adminToken, ConfigBarrier barrier) {
    this.ports = Map.copyOf(ports);
    this.adminUrl = adminUrl;
    this.adminToken = adminToken;
    this.barrier = barrier;
  }

  /** Runs {@code steps} with {@code workDir} as the reader's current directory; empty when all passed. */
  public java.util.Optional<Failure> run(List<DocStep> steps, Path workDir) {
    for (DocStep step : steps) {
      try {
        String problem = switch (step) {
          case DocStep.WriteFile file -> {
            Files.writeString(workDir.resolve(file.name()), movePorts(file.content()));
            yield null;
          }
          case DocStep.RunCtl ctl -> runCtl(ctl, workDir);
          case DocStep.SendRequest request -> send(request, workDir);
        };
        if (problem != null) {
          return java.util.Optional.of(new Failure(step.at(), problem));
        }
      } catch (Exception | AssertionError e) {
        return java.util.Optional.of(new Failure(step.at(), e.toString()));
      }
    }
    return java.util.Optional.empty();
  }

  private String runCtl(DocStep.RunCtl ctl, Path workDir) throws Exception {
    List<String> args = new ArrayList<>();
    for (int i = 0; i < ctl.args().size(); i++) {
      String arg = movePorts(ctl.args().get(i));
      // -f names a file relative to the reader's directory.
      args.add(i > 0 && ctl.args().get(i - 1).equals("-f") ? workDir.resolve(arg).toString() : arg);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8); PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit = EmbassyCtl.run(args.toArray(String[]::new), Map.of("EMBASSY_ADMIN_URL", adminUrl, "EMBASSY_ADMIN_TOKEN", adminToken), o, e);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    if (ctl.stdoutTo().isPresent()) {
      Files.writeString(workDir.resolve(ctl.stdoutTo().get()), printed);
    }
    if (exit != ctl.expectedExit()) {
      return "embassyctl " + String.join(" ", ctl.args()) + " exited " + exit + ", the page expects " + ctl.expectedExit()
          + "\n" + printed + err.toString(StandardCharsets.UTF_8);
    }
    if (exit == 0) {
      barrier.awaitLatestRevisionLive();
    }
    return null;
  }

  private String send(DocStep.SendRequest step, Path workDir) throws Exception {
    CurlCommand curl = step.request();
    List<Map.Entry<String, String>> headers = curl.headers().stream().map(h -> Map.entry(h.getKey(), movePorts(h.getValue()))).toList();
    byte[] body = curl.bodyFile().isPresent()
        ? Files.readAllBytes(workDir.resolve(curl.bodyFile().get())) // written by an earlier step, ports already moved
        : curl.body().map(b -> movePorts(b).getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
    Http11Exchange.Response response;
    if (curl.tls().isPresent()) {
      // The URL keeps the documented name and port (SNI, Host, certificate check); --connect-to
      // says where the connection goes, and only its 127.0.0.1 port is moved.
      URI url = URI.create(curl.url());
      String[] connectTo = movePorts(curl.tls().get().connectTo()).split(":");
      if (connectTo.length != 4 || !connectTo[0].equals(url.getHost()) || !connectTo[1].equals(Integer.toString(url.getPort()))
          || !connectTo[2].equals("127.0.0.1")) {
        return "curl --connect-to must be " + url.getHost() + ":" + url.getPort() + ":127.0.0.1:PORT, got " + curl.tls().get().connectTo();
      }
      response = Http11Exchange.sendTls(curl.method(), url, new java.net.InetSocketAddress("127.0.0.1", Integer.parseInt(connectTo[3])),
          PemTls.context(curl.tls().get(), workDir), headers, body);
    } else {
      URI url = URI.create(movePorts(curl.url()));
      if (!url.getHost().equals("127.0.0.1") && !url.getHost().equals("localhost")) {
        return "the docs test sends requests only to 127.0.0.1: " + curl.url();
      }
      response = Http11Exchange.send(curl.method(), url, headers, body);
    }
    DocStep.ResponseExpectation expected = step.expected();
    List<String> wrong = new ArrayList<>();
    if (response.status() != expected.status()) {
      wrong.add("status " + response.status() + ", the page expects " + expected.status());
    }
    for (DocStep.HeaderExpectation header : expected.headers()) {
      java.util.Optional<String> actual = response.header(header.name());
      if (actual.isEmpty()) {
        wrong.add("no " + header.name() + " header");
      } else if (header.value().isPresent() && !header.value().get().equals(actual.get())) {
        wrong.add(header.name() + ": " + actual.get() + ", the page expects " + header.value().get());
      }
    }
    for (String text : expected.bodyContains()) {
      if (!response.body().contains(text)) {
        wrong.add("body does not contain " + text);
      }
    }
    if (wrong.isEmpty()) {
      if (curl.url().contains(":8001/") && !curl.method().equals("GET")) {
        barrier.awaitLatestRevisionLive(); // an admin API write through curl, as with embassyctl
      }
      return null;
    }
    return curl.method() + " " + curl.url() + ": " + String.join("; ", wrong) + "\n" + response.headers() + "\n" + response.body();
  }

  /** Moves documented ports to the stack's; an unknown port fails rather than reaching a stranger. */
  String movePorts(String text) {
    Matcher m = PORT.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      int documented = Integer.parseInt(m.group(2));
      Integer actual = ports.get(documented);
      if (actual == null) {
        throw new IllegalArgumentException("port " + documented + " is not one the docs test maps (" + ports.keySet() + ")");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + actual));
    }
    m.appendTail(out);
    return out.toString();
  }
}
