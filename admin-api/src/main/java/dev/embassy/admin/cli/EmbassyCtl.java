package dev.embassy.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * embassyctl: the admin API from a shell, for GitOps pipelines (what decK is to Kong).
 *
 * <pre>
 * embassyctl apply -f FILE [--prune]     apply a config document (JSON or YAML) atomically
 * embassyctl diff -f FILE [--prune]      show what apply would change; changes nothing
 * embassyctl dump [--format yaml|json]   print the current config as an appliable document
 * embassyctl rollback N                  make the config equal to revision N (as a new revision)
 * </pre>
 *
 * Settings: EMBASSY_ADMIN_URL (default http://127.0.0.1:8001), EMBASSY_ADMIN_TOKEN or --token,
 * EMBASSY_ADMIN_CACERT or --cacert (PEM CAs to trust for an https URL instead of the JDK's).
 * Exit status: 0 done, 1 the API refused (its problem details are printed), 2 usage error.
 */
public final class EmbassyCtl {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final String token;
  private final PrintStream out;
  private final PrintStream err;
  private final HttpClient http;

  private EmbassyCtl(URI base, String token, HttpClient http, PrintStream out, PrintStream err) {
    this.base = base;
    this.token = token;
    this.http = http;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    List<String> rest = new ArrayList<>(List.of(args));
    String url = env.getOrDefault("EMBASSY_ADMIN_URL", "http://127.0.0.1:8001");
    try {
      String token = option(rest, "--token").orElse(env.get("EMBASSY_ADMIN_TOKEN"));
      url = option(rest, "--url").orElse(url);
      java.util.Optional<String> caFile = option(rest, "--cacert").or(() -> java.util.Optional.ofNullable(env.get("EMBASSY_ADMIN_CACERT")));
      if (rest.isEmpty()) {
        return usage(err, "no command");
      }
      if (token == null || token.isBlank()) {
        return usage(err, "no token: set EMBASSY_ADMIN_TOKEN or pass --token");
      }
      HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
      if (caFile.isPresent() && !caFile.get().isBlank()) {
        http.sslContext(trusting(Path.of(caFile.get())));
      }
      EmbassyCtl ctl = new EmbassyCtl(URI.create(url.endsWith("/") ? url : url + "/"), token.strip(), http.build(), out, err);
      String command = rest.removeFirst();
      return switch (command) {
        case "apply" -> ctl.apply(rest, false);
        case "diff" -> ctl.apply(rest, true);
        case "dump" -> ctl.dump(rest);
        case "rollback" -> ctl.rollback(rest);
        default -> usage(err, "unknown command " + command);
      };
    } catch (UsageException e) {
      return usage(err, e.getMessage());
    } catch (IOException e) {
      err.println("embassyctl: cannot reach " + url + ": " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private int apply(List<String> args, boolean dryRun) throws IOException, InterruptedException {
    Path file = Path.of(option(args, "-f").orElseThrow(() -> new UsageException("-f FILE is required")));
    boolean prune = flag(args, "--prune");
    requireNoMore(args);
    String name = file.getFileName().toString();
    String type = name.endsWith(".yaml") || name.endsWith(".yml") ? "application/yaml" : "application/json";
    String query = "api/v1/config:apply?dryRun=" + dryRun + "&prune=" + prune;
    HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve(query))
        .header("Content-Type", type)
        .POST(HttpRequest.BodyPublishers.ofFile(file)));
    if (response.statusCode() != 200) {
      return problem(response);
    }
    JsonNode result = JSON.readTree(response.body());
    for (JsonNode change : result.path("changes")) {
      String sign = switch (change.path("op").asText()) {
        case "create" -> "+";
        case "delete" -> "-";
        default -> "~";
      };
      out.println(sign + " " + change.path("kind").asText() + "/" + change.path("name").asText());
      if (dryRun && change.has("before") && change.has("after")) {
        printFieldChanges("", change.path("before"), change.path("after"));
      }
    }
    JsonNode summary = result.path("summary");
    String counts = summary.path("create").asInt() + " to create, " + summary.path("update").asInt() + " to update, " + summary.path("delete").asInt() + " to delete";
    if (dryRun) {
      out.println("diff: " + counts + " (nothing changed)");
    } else if (result.path("revision").isNull()) {
      out.println("apply: already up to date");
    } else {
      out.println("apply: revision " + result.path("revision").asLong() + ": " + counts.replace(" to ", " "));
    }
    return 0;
  }

  /** Prints the JSON Pointers whose values differ, so a reviewer sees what an update touches. */
  private void printFieldChanges(String pointer, JsonNode before, JsonNode after) {
    if (before.equals(after)) {
      return;
    }
    if (before.isObject() && after.isObject()) {
      java.util.TreeSet<String> fields = new java.util.TreeSet<>();
      before.fieldNames().forEachRemaining(fields::add);
      after.fieldNames().forEachRemaining(fields::add);
      for (String field : fields) {
        printFieldChanges(pointer + "/" + field, before.path(field), after.path(field));
      }
      return;
    }
    out.println("    " + pointer + ": " + (before.isMissingNode() ? "(none)" : before) + " -> " + (after.isMissingNode() ? "(none)" : after));
  }

  private int dump(List<String> args) throws IOException, InterruptedException {
    String format = option(args, "--format").orElse("yaml");
    requireNoMore(args);
    if (!format.equals("yaml") && !format.equals("json")) {
      throw new UsageException("--format must be yaml or json");
    }
    HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("api/v1/config?format=" + format)).GET());
    if (response.statusCode() != 200) {
      return problem(response);
    }
    out.print(response.body());
    if (!response.body().endsWith("\n")) {
      out.println();
    }
    return 0;
  }

  private int rollback(List<String> args) throws IOException, InterruptedException {
    if (args.size() != 1 || !args.getFirst().matches("[1-9][0-9]{0,18}")) {
      throw new UsageException("rollback needs one revision number");
    }
    HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("api/v1/revisions/" + args.getFirst() + "/rollback"))
        .POST(HttpRequest.BodyPublishers.noBody()));
    if (response.statusCode() != 200) {
      return problem(response);
    }
    JsonNode result = JSON.readTree(response.body());
    out.println(result.path("revision").isNull()
        ? "rollback: the config already equals revision " + args.getFirst()
        : "rollback: revision " + result.path("revision").asLong() + " equals revision " + args.getFirst());
    return 0;
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.header("Authorization", "Bearer " + token).timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private int problem(HttpResponse<String> response) {
    try {
      JsonNode problem = JSON.readTree(response.body());
      err.println("embassyctl: " + response.statusCode() + " " + problem.path("title").asText() + ": " + problem.path("detail").asText());
      for (JsonNode error : problem.path("errors")) {
        err.println("  " + (error.path("pointer").asText().isEmpty() ? "(document)" : error.path("pointer").asText()) + ": " + error.path("detail").asText());
      }
    } catch (IOException e) {
      err.println("embassyctl: HTTP " + response.statusCode() + ": " + response.body());
    }
    return 1;
  }

  /** Only the CAs in {@code file} are trusted: the admin API's certificate is usually from a private CA. */
  private static SSLContext trusting(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, certificate);
      }
      if (i == 0) {
        throw new UsageException("--cacert " + file + " holds no PEM certificate");
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UsageException("--cacert " + file + " cannot be read: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new UsageException("--cacert " + file + " is not a PEM certificate bundle: " + e.getMessage());
    }
  }

  private static java.util.Optional<String> option(List<String> args, String name) {
    for (Iterator<String> it = args.iterator(); it.hasNext(); ) {
      if (it.next().equals(name)) {
        it.remove();
        if (!it.hasNext()) {
          throw new UsageException(name + " needs a value");
        }
        String value = it.next();
        it.remove();
        return java.util.Optional.of(value);
      }
    }
    return java.util.Optional.empty();
  }

  private static boolean flag(List<String> args, String name) {
    return args.remove(name);
  }

  private static void requireNoMore(List<String> args) {
    if (!args.isEmpty()) {
      throw new UsageException("unexpected arguments " + args);
    }
  }

  private static int usage(PrintStream err, String problem) {
    err.println("embassyctl: " + problem);
    err.println("usage: embassyctl [--url URL] [--token TOKEN] [--cacert FILE] apply|diff -f FILE [--prune] | dump [--format yaml|json] | rollback N");
    return 2;
  }

  private static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message, null, false, false);
    }
  }
}
