package dev.embassy.controlplane.xds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-node-group bearer tokens ADS streams may present (EMBASSY_XDS_NODE_TOKENS). The file
 * holds SHA-256 digests, not tokens, as the admin API stores its own: a copy of the file lets no
 * one connect. Tokens are long random strings, so a fast hash suffices, and looking the digest up
 * reveals nothing about other tokens through timing. A group may list several digests, so a token
 * is rotated by adding the new one, moving the Envoys over, then removing the old one; the file is
 * re-read when it changes, and a file that no longer parses leaves the last good one in force.
 *
 * <pre>
 * # node group   SHA-256 of the token (printf %s "$TOKEN" | sha256sum)
 * edge           sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 * </pre>
 */
public final class NodeGroupTokens implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeGroupTokens.class);
  private static final Pattern LINE = Pattern.compile("(\\S+)\\s+sha256:([0-9a-fA-F]{64})");
  private static final HexFormat HEX = HexFormat.of();

  private final Path file;
  private volatile Map<String, String> groupsByDigest;
  private volatile FileTime loadedModified;
  private final ScheduledFuture<?> watch;

  public NodeGroupTokens(Path file, long reloadMillis, ScheduledExecutorService scheduler) {
    this.file = file;
    this.loadedModified = modified(file);
    this.groupsByDigest = parse(file);
    this.watch = scheduler.scheduleWithFixedDelay(this::reloadIfChanged, reloadMillis, reloadMillis, TimeUnit.MILLISECONDS);
  }

  /** The node group {@code token} belongs to, if it is listed. */
  public Optional<String> nodeGroup(String token) {
    return Optional.ofNullable(groupsByDigest.get(HEX.formatHex(sha256(token))));
  }

  void reloadIfChanged() {
    try {
      FileTime now = modified(file);
      if (now.equals(loadedModified)) {
        return;
      }
      Map<String, String> parsed = parse(file);
      groupsByDigest = parsed;
      loadedModified = now;
      LOG.atInfo().addKeyValue("file", file).addKeyValue("tokens", parsed.size()).log("node group tokens reloaded");
    } catch (RuntimeException e) {
      LOG.atError().addKeyValue("file", file).log("node group tokens not reloaded, the last good ones stay in force: {}", e.getMessage());
    }
  }

  static Map<String, String> parse(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read EMBASSY_XDS_NODE_TOKENS " + file, e);
    }
    Map<String, String> groups = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher matcher = LINE.matcher(line);
      if (!matcher.matches()) {
        // The line may hold a token pasted by mistake: say where, never what.
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected \"<node group> sha256:<64 hex digits>\"");
      }
      String previous = groups.put(matcher.group(2).toLowerCase(java.util.Locale.ROOT), matcher.group(1));
      if (previous != null && !previous.equals(matcher.group(1))) {
        throw new IllegalArgumentException(file + " line " + (i + 1) + ": one token digest is listed for node groups " + previous + " and "
            + matcher.group(1));
      }
    }
    return Map.copyOf(groups);
  }

  private static FileTime modified(Path file) {
    try {
      return Files.getLastModifiedTime(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read EMBASSY_XDS_NODE_TOKENS " + file, e);
    }
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public void close() {
    watch.cancel(false);
  }
}
