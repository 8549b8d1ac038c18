package dev.embassy.config.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.Cluster;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;
import dev.embassy.testsupport.PostgresExtension;
import dev.embassy.testsupport.TestDatabase;
import java.util.List;
import java.util.OptionalLong;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Single creates validate against the config held in memory ({@link CommittedConfig}): it must
 * follow writes made elsewhere (another replica, apply, delete) and never outlive a failed write.
 */
@ExtendWith(PostgresExtension.class)
class SingleCreateIT {
  private DataSource dataSource;
  private DSLContext db;
  private ConfigStore store;
  /** Another admin API replica on the same database. */
  private ConfigStore other;

  @BeforeEach
  void setUp(TestDatabase database) {
    dataSource = database.dataSource();
    ConfigSchema.migrate(dataSource);
    db = DSL.using(dataSource, SQLDialect.POSTGRES);
    store = new ConfigStore(dataSource);
    other = new ConfigStore(dataSource);
    store.create(read(Gateway.class, "{\"name\":\"edge\",\"nodeGroup\":\"edge\",\"listeners\":[{\"name\":\"http\",\"port\":10000}]}"), "t", "gateway");
    store.create(cluster("svc"), "t", "cluster");
  }

  @Test
  void eachCreateIsOneRevisionOnTheLatestWithHistoryAuditAndClaims() {
    long before = store.latestRevision();
    WriteResult a = store.create(route("a", "/a"), "alice", "create route/a");
    WriteResult b = other.create(route("b", "/b"), "bob", "create route/b");
    WriteResult c = store.create(route("c", "/c"), "carol", "create route/c");

    assertThat(a.revision().orElseThrow().parentId()).isEqualTo(before);
    assertThat(b.revision().orElseThrow().parentId()).isEqualTo(a.revision().orElseThrow().id());
    assertThat(c.revision().orElseThrow().parentId()).isEqualTo(b.revision().orElseThrow().id());
    assertThat(store.revision(c.revision().orElseThrow().id())).get().isEqualTo(c.revision().orElseThrow());
    assertThat(store.get(ResourceKind.ROUTE, "c")).get().satisfies(stored -> assertThat(stored.revision()).isEqualTo(c.revision().orElseThrow().id()));
    assertThat(db.fetchCount(db.selectFrom("audit_event").where("to_revision = ?", c.revision().orElseThrow().id()))).isEqualTo(1);
    assertThat(db.fetchCount(db.selectFrom("config_resource_history").where("name = 'c' AND op = 'create'"))).isEqualTo(1);
    assertThat(db.fetchCount(db.selectFrom("config_route_claim").where("route = 'c'"))).isEqualTo(1);
    assertThat(db.fetchCount(db.selectFrom("config_reference").where("from_name = 'c'"))).isEqualTo(2);
  }

  @Test
  void followsWhatOtherReplicasWrite() {
    store.create(route("a", "/a"), "t", "warm the view");
    other.create(route("b", "/b"), "t", "elsewhere");
    other.create(cluster("svc2"), "t", "elsewhere");

    // The claim and the name taken by the other replica are seen; so is its cluster.
    assertThatThrownBy(() -> store.create(route("b2", "/b"), "t", "same match"))
        .isInstanceOf(StoreException.Invalid.class).hasMessageContaining("route b already serves");
    assertThatThrownBy(() -> store.create(route("b", "/other"), "t", "same name"))
        .isInstanceOf(StoreException.AlreadyExists.class);
    store.create(route("d", "/d", "svc2"), "t", "uses the new cluster");

    // Deletes and applies elsewhere free names and matches again.
    other.delete(ResourceKind.ROUTE, "b", OptionalLong.empty(), "t", "delete");
    store.create(route("b2", "/b"), "t", "match free again");
    other.apply(ConfigDocument.of(List.of(store.get(ResourceKind.GATEWAY, "edge").orElseThrow().resource(), cluster("svc"))), true, false, "t", "prune");
    assertThatThrownBy(() -> store.create(route("e", "/e", "svc2"), "t", "pruned cluster"))
        .isInstanceOf(StoreException.Invalid.class).hasMessageContaining("does not exist");
    store.create(route("a", "/a"), "t", "pruned route's name and match are free");
  }

  @Test
  void aCreateTheDatabaseRefusesChangesNothingAndTheNextOneStillValidates() {
    store.create(route("a", "/a"), "t", "warm the view");
    long latest = store.latestRevision();
    // A claim the view cannot know of (written behind its back, without a revision): the key refuses the create.
    db.execute("INSERT INTO config_route_claim (gateway, claim_key, route) SELECT gateway, replace(claim_key, '/a', '/x'), route FROM config_route_claim WHERE route = 'a'");

    assertThatThrownBy(() -> store.create(route("x", "/x"), "t", "refused by the key"))
        .isInstanceOf(DataAccessException.class)
        .satisfies(e -> assertThat(((DataAccessException) e).sqlState()).isEqualTo("23505"));
    assertThat(store.latestRevision()).isEqualTo(latest);
    assertThat(store.get(ResourceKind.ROUTE, "x")).isEmpty();

    assertThatThrownBy(() -> store.create(route("a2", "/a"), "t", "still a conflict"))
        .isInstanceOf(StoreException.Invalid.class).hasMessageContaining("route a already serves");
    WriteResult y = store.create(route("y", "/y"), "t", "fine");
    assertThat(y.revision().orElseThrow().parentId()).isEqualTo(latest);
  }

  private static Route route(String name, String path) {
    return route(name, path, "svc");
  }

  private static Route route(String name, String path, String cluster) {
    return read(Route.class, "{\"name\":\"" + name + "\",\"gateway\":\"edge\",\"hostnames\":[\"h.example.com\"],"
        + "\"rules\":[{\"matches\":[{\"path\":{\"type\":\"PathPrefix\",\"value\":\"" + path + "\"}}],"
        + "\"backendRefs\":[{\"cluster\":\"" + cluster + "\"}]}]}");
  }

  private static Cluster cluster(String name) {
    return read(Cluster.class, "{\"name\":\"" + name + "\",\"discovery\":{\"static\":{\"endpoints\":[{\"address\":\"10.0.0.1\",\"port\":8080}]}}}");
  }

  private static <T extends ConfigResource> T read(Class<T> type, String json) {
    try {
      return ConfigJson.json().readValue(json, type);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
