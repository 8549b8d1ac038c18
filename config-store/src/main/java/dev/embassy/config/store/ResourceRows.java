package dev.embassy.config.store;

import dev.embassy.config.codec.ResourceCodec;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.Route;
import dev.embassy.config.validate.RouteClaims;
import dev.embassy.config.model.Reference;
import dev.embassy.config.model.ResourceKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.BatchBindStep;
import org.jooq.DSLContext;
import org.jooq.Record;

/** SQL on the current-state tables: config_resource, config_reference and their history. */
final class ResourceRows {
  private ResourceRows() {}

  /** One stored row: the resource (without its secret), its secret, and its revision. */
  record Row(ConfigResource resource, Optional<String> secret, long revision) {
    StoredResource stored() {
      return new StoredResource(resource, revision);
    }
  }

  static String kindKey(ResourceKind kind) {
    return kind.name().toLowerCase(java.util.Locale.ROOT);
  }

  static Optional<Row> find(DSLContext db, ResourceKind kind, String name) {
    return db.resultQuery("SELECT spec::text, secret, revision FROM config_resource WHERE kind = ? AND name = ?", kindKey(kind), name)
        .fetchOptional()
        .map(r -> new Row(ResourceCodec.read(kind, r.get(0, String.class)), Optional.ofNullable(r.get(1, String.class)), r.get(2, Long.class)));
  }

  /** Lists one kind in name order, after {@code afterName}, filtered by labels. */
  static List<Row> page(DSLContext db, ResourceKind kind, Map<String, String> labels, String afterName, int limit) {
    String labelJson = LabelSelector.toJson(labels);
    return db.resultQuery(
            "SELECT spec::text, revision FROM config_resource WHERE kind = ? AND name > ? AND labels @> ?::jsonb ORDER BY name LIMIT ?",
            kindKey(kind), afterName, labelJson, limit)
        .fetch(r -> new Row(ResourceCodec.read(kind, r.get(0, String.class)), Optional.empty(), r.get(1, Long.class)));
  }

  static List<Row> all(DSLContext db) {
    List<Row> rows = new ArrayList<>();
    for (Record r : db.resultQuery("SELECT kind, spec::text, secret, revision FROM config_resource ORDER BY kind, name").fetch()) {
      ResourceKind kind = ResourceKind.valueOf(r.get(0, String.class).toUpperCase(java.util.Locale.ROOT));
      rows.add(new Row(ResourceCodec.read(kind, r.get(1, String.class)), Optional.ofNullable(r.get(2, String.class)), r.get(3, Long.class)));
    }
    return rows;
  }

  static boolean exists(DSLContext db, ResourceKind kind, String name) {
    return db.resultQuery("SELECT 1 FROM config_resource WHERE kind = ? AND name = ?", kindKey(kind), name).fetchOptional().isPresent();
  }

  static List<ConfigResource> routesOf(DSLContext db, String gateway) {
    return db.resultQuery(
            "SELECT spec::text FROM config_resource WHERE kind = 'route' AND spec ->> 'gateway' = ?", gateway)
        .fetch(r -> ResourceCodec.read(ResourceKind.ROUTE, r.get(0, String.class)));
  }

  /** "kind/name" of every resource that references {@code kind/name}. */
  static List<String> referrers(DSLContext db, ResourceKind kind, String name) {
    return db.resultQuery(
            "SELECT DISTINCT from_kind, from_name FROM config_reference WHERE to_kind = ? AND to_name = ? ORDER BY 1, 2",
            kindKey(kind), name)
        .fetch(r -> ResourceKind.valueOf(r.get(0, String.class).toUpperCase(java.util.Locale.ROOT)).pathSegment() + "/" + r.get(1, String.class));
  }

  /**
   * Applies {@code changes} as revision {@code revision}: current rows, references and history.
   * Upserts run in dependency order and deletes in reverse, so references hold at every step.
   */
  static void write(DSLContext tx, long revision, List<Change> changes) {
    List<Change> upserts = changes.stream().filter(c -> c.op() != Change.Op.delete)
        .sorted(java.util.Comparator.comparing(Change::kind)).toList();
    List<Change> deletes = changes.stream().filter(c -> c.op() == Change.Op.delete)
        .sorted(java.util.Comparator.comparing(Change::kind).reversed()).toList();

    if (!upserts.isEmpty()) {
      BatchBindStep upsert = tx.batch(tx.query(
          "INSERT INTO config_resource (kind, name, spec, labels, secret, revision) VALUES (?, ?, ?::jsonb, ?::jsonb, ?, ?) "
              + "ON CONFLICT (kind, name) DO UPDATE SET spec = excluded.spec, labels = excluded.labels, "
              + "secret = excluded.secret, revision = excluded.revision",
          null, null, null, null, null, null));
      BatchBindStep clearRefs = tx.batch(tx.query("DELETE FROM config_reference WHERE from_kind = ? AND from_name = ?", null, null));
      for (Change change : upserts) {
        ConfigResource resource = change.after().orElseThrow();
        upsert.bind(kindKey(change.kind()), change.name(), change.spec().orElseThrow(), LabelSelector.toJson(resource.labels()),
            change.secret().orElse(null), revision);
        clearRefs.bind(kindKey(change.kind()), change.name());
      }
      // Upserts go kind by kind: a reference row may only point at rows that already exist.
      upsert.execute();
      clearRefs.execute();
      BatchBindStep addRefs = tx.batch(tx.query(
          "INSERT INTO config_reference (from_kind, from_name, pointer, to_kind, to_name) VALUES (?, ?, ?, ?, ?)",
          null, null, null, null, null));
      int refs = 0;
      for (Change change : upserts) {
        for (Reference ref : change.after().orElseThrow().references()) {
          addRefs.bind(kindKey(change.kind()), change.name(), ref.pointer(), kindKey(ref.kind()), ref.name());
          refs++;
        }
      }
      if (refs > 0) {
        addRefs.execute();
      }
    }
    if (!deletes.isEmpty()) {
      BatchBindStep delete = tx.batch(tx.query("DELETE FROM config_resource WHERE kind = ? AND name = ?", null, null));
      for (Change change : deletes) {
        delete.bind(kindKey(change.kind()), change.name());
      }
      delete.execute();
    }
    updateRouteClaims(tx, upserts);
    BatchBindStep history = tx.batch(tx.query(
        "INSERT INTO config_resource_history (revision, kind, name, op, spec, secret) VALUES (?, ?, ?, ?, ?::jsonb, ?)",
        null, null, null, null, null, null));
    for (Change change : changes) {
      history.bind(revision, kindKey(change.kind()), change.name(), change.op().name(), change.spec().orElse(null), change.secret().orElse(null));
    }
    history.execute();
  }

  /**
   * Recomputes the claims of every route whose claims the change can move: the routes written,
   * and all routes of a gateway written (its listeners decide what a route without a listener
   * claims). Deleted routes lose their claims by cascade.
   */
  private static void updateRouteClaims(DSLContext tx, List<Change> upserts) {
    java.util.Map<String, Route> routes = new java.util.TreeMap<>();
    for (Change change : upserts) {
      if (change.kind() == ResourceKind.ROUTE) {
        routes.put(change.name(), (Route) change.after().orElseThrow());
      } else if (change.kind() == ResourceKind.GATEWAY) {
        for (ConfigResource route : routesOf(tx, change.name())) {
          routes.putIfAbsent(route.name(), (Route) route);
        }
      }
    }
    if (routes.isEmpty()) {
      return;
    }
    BatchBindStep clear = tx.batch(tx.query("DELETE FROM config_route_claim WHERE route = ?", (Object) null));
    routes.keySet().forEach(clear::bind);
    clear.execute();
    java.util.Map<String, Optional<Gateway>> gateways = new java.util.HashMap<>();
    BatchBindStep insert = tx.batch(tx.query("INSERT INTO config_route_claim (gateway, claim_key, route) VALUES (?, ?, ?)", null, null, null));
    int claims = 0;
    for (Route route : routes.values()) {
      Optional<Gateway> gateway = gateways.computeIfAbsent(route.gateway(), g -> find(tx, ResourceKind.GATEWAY, g).map(row -> (Gateway) row.resource()));
      if (gateway.isEmpty()) {
        continue;
      }
      for (String key : RouteClaims.keys(route, gateway.get())) {
        insert.bind(route.gateway(), key, route.name());
        claims++;
      }
    }
    if (claims > 0) {
      insert.execute();
    }
  }

  /** For each of {@code keys} claimed on {@code gateway} by a route other than {@code route}: that route. */
  static java.util.Map<String, String> claimants(DSLContext db, String gateway, java.util.Collection<String> keys, String route) {
    java.util.Map<String, String> claimants = new java.util.HashMap<>();
    if (keys.isEmpty()) {
      return claimants;
    }
    db.resultQuery("SELECT claim_key, route FROM config_route_claim WHERE gateway = ? AND claim_key = ANY(?) AND route <> ?",
            gateway, keys.toArray(new String[0]), route)
        .forEach(r -> claimants.put(r.get(0, String.class), r.get(1, String.class)));
    return claimants;
  }

  /** A resource's state after a range of revisions: its row, or empty if it was deleted. */
  record Changed(ResourceKind kind, String name, Optional<Row> row) {}

  /** Per resource changed in ({@code after}, {@code upTo}]: its state at {@code upTo}. */
  static List<Changed> changedBetween(DSLContext db, long after, long upTo) {
    List<Changed> changes = new ArrayList<>();
    for (Record r : db.resultQuery(
            "SELECT DISTINCT ON (kind, name) kind, name, op, spec::text, secret, revision"
                + " FROM config_resource_history WHERE revision > ? AND revision <= ? ORDER BY kind, name, revision DESC",
            after, upTo)
        .fetch()) {
      ResourceKind kind = ResourceKind.valueOf(r.get(0, String.class).toUpperCase(java.util.Locale.ROOT));
      String name = r.get(1, String.class);
      Optional<Row> row = "delete".equals(r.get(2, String.class)) ? Optional.empty()
          : Optional.of(new Row(ResourceCodec.read(kind, r.get(3, String.class)), Optional.ofNullable(r.get(4, String.class)), r.get(5, Long.class)));
      changes.add(new Changed(kind, name, row));
    }
    return changes;
  }

  /** The config as it was at {@code revision}: per resource, its latest history entry. */
  static List<Row> at(DSLContext db, long revision) {
    List<Row> rows = new ArrayList<>();
    for (Record r : db.resultQuery(
            "SELECT kind, spec::text, secret, revision FROM ("
                + " SELECT DISTINCT ON (kind, name) kind, name, op, spec, secret, revision"
                + " FROM config_resource_history WHERE revision <= ? ORDER BY kind, name, revision DESC) latest"
                + " WHERE op <> 'delete' ORDER BY kind, name",
            revision)
        .fetch()) {
      ResourceKind kind = ResourceKind.valueOf(r.get(0, String.class).toUpperCase(java.util.Locale.ROOT));
      rows.add(new Row(ResourceCodec.read(kind, r.get(1, String.class)), Optional.ofNullable(r.get(2, String.class)), r.get(3, Long.class)));
    }
    return rows;
  }
}
