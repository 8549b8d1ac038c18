package dev.embassy.controlplane;

import dev.embassy.config.store.ConfigSnapshot;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.controlplane.ir.NodeGroupBuilder;
import dev.embassy.controlplane.ir.NodeGroupConfig;
import dev.embassy.controlplane.ir.TranslationSettings;
import dev.embassy.controlplane.status.ControlPlaneMetrics;
import dev.embassy.controlplane.translate.XdsResources;
import dev.embassy.controlplane.translate.XdsTranslator;
import dev.embassy.controlplane.xds.SnapshotConsistency;
import dev.embassy.controlplane.xds.ServedRevisions;
import dev.embassy.controlplane.xds.SnapshotPublisher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One step of the pipeline per revision: build each node group's IR, translate it, check it, and
 * publish. A revision whose output fails the consistency check is not served at all; Envoys keep
 * the last good revision.
 */
public final class ConfigSync implements Consumer<ConfigSnapshot> {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigSync.class);

  private final SnapshotPublisher publisher;
  private final TranslationSettings settings;
  private final EndpointSource endpoints;
  private final ControlPlaneMetrics metrics;
  private final ServedRevisions served;
  private volatile long servedRevision = -1;

  public ConfigSync(SnapshotPublisher publisher, TranslationSettings settings, EndpointSource endpoints, ControlPlaneMetrics metrics,
      ServedRevisions served) {
    this.served = served;
    this.publisher = publisher;
    this.settings = settings;
    this.endpoints = endpoints;
    this.metrics = metrics;
    metrics.gauge("embassy.controlplane.revision.served", "Config revision being served; -1 before the first", () -> servedRevision);
  }

  @Override
  public void accept(ConfigSnapshot snapshot) {
    long started = System.nanoTime();
    List<XdsResources> groups = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (NodeGroupConfig group : NodeGroupBuilder.build(snapshot.document(), settings, endpoints)) {
      XdsResources resources = XdsTranslator.translate(group);
      SnapshotConsistency.problems(resources).forEach(p -> problems.add(group.nodeGroup() + ": " + p));
      groups.add(resources);
    }
    metrics.translated(java.time.Duration.ofNanos(System.nanoTime() - started));
    if (!problems.isEmpty()) {
      metrics.rejectedRevision();
      LOG.error("revision {} not served, its translation is inconsistent: {}", snapshot.revision(), problems);
      return;
    }
    served.record(snapshot.revision(), publisher.publishAll(groups));
    servedRevision = snapshot.revision();
    LOG.info("serving revision {} to {} node group(s), translated in {} ms",
        snapshot.revision(), groups.size(), (System.nanoTime() - started) / 1_000_000);
  }

  /** The revision whose config is being served; -1 before the first. */
  public long servedRevision() {
    return servedRevision;
  }
}
