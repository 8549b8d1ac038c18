package dev.embassy.ratelimit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.ratelimit.config.PolicyFiles;
import dev.embassy.ratelimit.config.EnvoyRatelimitImporter.ImportException;
import dev.embassy.ratelimit.config.EnvoyRatelimitImporter.Imported;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a rate-limit node until stopped ({@code java -jar ratelimit-service.jar}), or converts
 * envoyproxy/ratelimit config files to an Embassy document for {@code embassyctl apply}:
 * {@code java -jar ratelimit-service.jar import FILE|DIR...} prints the JSON on standard output
 * and what the reader should check (invented request descriptors, ignored settings) on standard
 * error.
 */
public final class RateLimitServiceMain {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimitServiceMain.class);

  private RateLimitServiceMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("import")) {
      System.exit(importFiles(List.of(args).subList(1, args.length)));
      return;
    }
    if (args.length > 0) {
      System.err.println("usage: ratelimit-service                 run a node (settings from EMBASSY_RATELIMIT_* variables)");
      System.err.println("       ratelimit-service import FILE|DIR...  print envoyproxy/ratelimit YAML as an Embassy document");
      System.exit(2);
      return;
    }
    RateLimitServiceConfig config;
    try {
      config = RateLimitServiceConfig.fromEnvironment(System.getenv());
    } catch (RuntimeException e) {
      // Configuration errors are the operator's to fix; a stack trace would bury the message.
      LOG.error("cannot start: {}", e.getMessage());
      System.exit(2);
      return;
    }
    RateLimitNode node;
    try {
      node = RateLimitNode.start(config);
    } catch (RuntimeException e) {
      LOG.error("cannot start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    LOG.info("node {} serving RLS and peers on {}:{}, status on {}:{}", config.nodeId(), config.bind(), node.grpcPort(),
        config.statusBind(), node.statusPort());
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "shutdown"));
    node.awaitTermination();
  }

  static int importFiles(List<String> arguments) throws IOException {
    if (arguments.isEmpty()) {
      System.err.println("usage: ratelimit-service import FILE|DIR...");
      return 2;
    }
    List<Path> files = new ArrayList<>();
    for (String argument : arguments) {
      Path path = Path.of(argument);
      files.addAll(Files.isDirectory(path) ? PolicyFiles.configFiles(path) : List.of(path));
    }
    try {
      List<Imported> imported = PolicyFiles.readAll(files);
      for (Imported one : imported) {
        one.warnings().forEach(w -> System.err.println("note: " + one.policy().name() + ": " + w));
        System.err.println("note: " + one.policy().name() + ": requestDescriptors were invented from the descriptor keys;"
            + " review them before applying");
      }
      ConfigDocument document = ConfigDocument.of(imported.stream().map(Imported::policy).toList());
      ObjectNode json = ConfigJson.json().valueToTree(document);
      System.out.println(ConfigJson.json().writerWithDefaultPrettyPrinter().writeValueAsString(json));
      return 0;
    } catch (ImportException e) {
      System.err.println(e.getMessage());
      return 1;
    }
  }
}
