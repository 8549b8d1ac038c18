package dev.embassy.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.store.ConfigDatabase;
import dev.embassy.config.store.ConfigSchema;
import dev.embassy.config.store.ConfigStore;
import dev.embassy.controlplane.cache.GroupSnapshot;
import dev.embassy.controlplane.cache.XdsType;
import dev.embassy.controlplane.ir.EndpointSource;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
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
      try (ControlPlane a = ControlPlane.start(LocalControlPlane.config(0), dataSource, "replica-a");
          ControlPlane b = ControlPlane.start(LocalControlPlane.config(0), dataSource, "replica-b")) {
        for (String golden : List.of("filters", "clusters", "https")) {
          ConfigDocument document = ConfigJson.yaml().readValue(Path.of("src/test/resources/golden/" + golden + ".yaml").toFile(), ConfigDocument.class);
          long revision = store.apply(document, true, false, "it", golden).revision().orElseThrow().id();
          long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
          while ((a.servedRevision() != revision || b.servedRevision() != revision) && System.nanoTime() < deadline) {
            Thread.sleep(10);
          }
          assertThat(a.servedRevision()).isEqualTo(revision);
          assertThat(b.servedRevision()).isEqualTo(revision);
          GroupSnapshot x = a.cache().target("edge").orElseThrow();
          GroupSnapshot y = b.cache().target("edge").orElseThrow();
          for (XdsType type : XdsType.values()) {
            assertThat(y.version(type)).as(golden + " " + type).isEqualTo(x.version(type));
            assertThat(y.resources(type).keySet()).as(golden + " " + type).isEqualTo(x.resources(type).keySet());
            x.resources(type).forEach((name, resource) -> {
              assertThat(y.resources(type).get(name).version()).as(golden + " " + type + " " + name).isEqualTo(resource.version());
              assertThat(y.resources(type).get(name).message()).isEqualTo(resource.message());
            });
          }
        }
      }
    }
  }
}
