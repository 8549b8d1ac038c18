package dev.embassy.ratelimit.config;

import dev.embassy.ratelimit.config.EnvoyRatelimitImporter.Imported;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policies from a directory of envoyproxy/ratelimit YAML files or Embassy documents
 * (EMBASSY_RATELIMIT_CONFIG_DIR, see {@link PolicyFiles}),
 * for running without the config store. The directory is read at start and again whenever a
 * file's name, size or modification time changes (checked every second). A change that fails to
 * import keeps the previous policies in force and reports the source unhealthy until fixed.
 */
public final class StaticPolicyDirectory implements PolicySource {
  private static final Logger LOG = LoggerFactory.getLogger(StaticPolicyDirectory.class);

  private final Path dir;
  private final ActivePolicies active;
  private final AtomicBoolean healthy = new AtomicBoolean();
  private final ScheduledExecutorService poller =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("config-dir").daemon().unstarted(r));
  private volatile List<String> fingerprint = List.of();

  private StaticPolicyDirectory(Path dir, ActivePolicies active) {
    this.dir = dir;
    this.active = active;
  }

  /** Reads the directory once (failing if it cannot be imported), then follows changes. */
  public static StaticPolicyDirectory start(Path dir, ActivePolicies active) {
    StaticPolicyDirectory source = new StaticPolicyDirectory(dir, active);
    source.load(true);
    source.poller.scheduleWithFixedDelay(() -> source.load(false), 1, 1, TimeUnit.SECONDS);
    return source;
  }

  private void load(boolean first) {
    try {
      List<Path> files = PolicyFiles.configFiles(dir);
      List<String> now = fingerprint(files);
      if (!first && now.equals(fingerprint)) {
        return;
      }
      fingerprint = now;
      List<Imported> imported = PolicyFiles.readAll(files);
      imported.forEach(i -> i.warnings().forEach(w -> LOG.warn("{}", w)));
      active.replace(PolicySet.compile(imported.stream().map(Imported::policy).toList(), -1, describe()));
      healthy.set(true);
      LOG.info("enforcing {} rate-limit policies from {}", imported.size(), dir);
    } catch (IOException | RuntimeException e) {
      healthy.set(false);
      if (first) {
        throw new IllegalStateException("cannot read rate-limit config from " + dir + ": " + e.getMessage(), e);
      }
      LOG.error("rate-limit config in {} not reloaded, previous policies stay in force: {}", dir, e.getMessage());
    }
  }

  private static List<String> fingerprint(List<Path> files) throws IOException {
    List<String> parts = new ArrayList<>();
    for (Path file : files) {
      parts.add(file + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis());
    }
    return parts;
  }

  @Override
  public boolean healthy() {
    return healthy.get();
  }

  @Override
  public String describe() {
    return "files:" + dir;
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
