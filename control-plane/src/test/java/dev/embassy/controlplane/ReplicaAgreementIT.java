package dev.embassy.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.config.store.ConfigFollower;
import dev.embassy.controlplane.status.ControlPlaneMetrics;
import dev.embassy.controlplane.xds.SnapshotPublisher;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two control-plane replicas on one database serve byte-identical versions for every revision, so
 * an Envoy that fails over from one to the other sees no change and receives no churn.
 */
@ExtendWith(PostgresExtension.class)
class ReplicaAgreementIT {
  @Test
  void replicasServeIdenticalVersions(TestDatabase database) throws Exception {
    try (HikariDataSource dataSource = ConfigDatabase.connect(database.jdbcUrl(), database.user(), database.password(), 6)) {
      ConfigSchema.migrate(dataSource);
      ConfigStore store = new ConfigStore(dataSource);
      SnapshotPublisher a = new SnapshotPublisher();
      SnapshotPublisher b = new SnapshotPublisher();
      ConfigSync syncA = new ConfigSync(a, dev.embassy.controlplane.ir.TranslationSettings.defaults("0.0.0.0"), EndpointSource.NONE, new ControlPlaneMetrics(), new dev.embassy.controlplane.xds.ServedRevisions());
      ConfigSync syncB = new ConfigSync(b, dev.embassy.controlplane.ir.TranslationSettings.defaults("0.0.0.0"), EndpointSource.NONE, new ControlPlaneMetrics(), new dev.embassy.controlplane.xds.ServedRevisions());
      try (ConfigFollower followerA = new ConfigFollower(dataSource, Duration.ofMillis(10), syncA).start();
          ConfigFollower followerB = new ConfigFollower(dataSource, Duration.ofMillis(10), syncB).start()) {
        for (String golden : List.of("filters", "clusters", "https")) {
          ConfigDocument document = ConfigJson.yaml().readValue(Path.of("src/test/resources/golden/" + golden + ".yaml").toFile(), ConfigDocument.class);
          long revision = store.apply(document, true, false, "it", golden).revision().orElseThrow().id();
          long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
          while ((syncA.servedRevision() != revision || syncB.servedRevision() != revision) && System.nanoTime() < deadline) {
            Thread.sleep(10);
          }
          assertThat(syncA.servedRevision()).isEqualTo(revision);
          assertThat(syncB.servedRevision()).isEqualTo(revision);
          Snapshot x = a.cache().getSnapshot("edge");
          Snapshot y = b.cache().getSnapshot("edge");
          assertThat(y.clusters().version()).isEqualTo(x.clusters().version());
          assertThat(y.endpoints().version()).isEqualTo(x.endpoints().version());
          assertThat(y.listeners().version()).isEqualTo(x.listeners().version());
          assertThat(y.routes().version()).isEqualTo(x.routes().version());
          assertThat(y.secrets().version()).isEqualTo(x.secrets().version());
          assertThat(y.routes().resources()).isEqualTo(x.routes().resources());
        }
      }
    }
  }
}
