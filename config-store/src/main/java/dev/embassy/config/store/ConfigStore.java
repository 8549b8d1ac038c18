package dev.embassy.config.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.codec.ResourceCodec;
import dev.embassy.config.model.Certificate;
import dev.embassy.config.model.ConfigDocument;
import dev.embassy.config.model.ConfigResource;
import dev.embassy.config.model.Gateway;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.model.Route;
import dev.embassy.config.store.ResourceRows.Row;
import dev.embassy.config.validate.ConfigValidator;
import dev.embassy.config.validate.FieldError;
import dev.embassy.config.validate.ResourceValidator;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * The config's source of truth. Every write is one transaction that validates against the config
 * it would produce, records a revision (announced by NOTIFY on commit) and changes nothing at all
 * when anything is wrong.
 */
public final class ConfigStore {
  private final DataSource dataSource;
  private final DSLContext db;
  /** What single creates validate against; see {@link CommittedConfig}. */
  private final CommittedConfig committed = new CommittedConfig();
  /** Creates of this process, one at a time and in arrival order (they would queue on the write lock anyway). */
  private final java.util.concurrent.locks.ReentrantLock localCreates = new java.util.concurrent.locks.ReentrantLock(true);

  public ConfigStore(DataSource dataSource) {
    this.dataSource = dataSource;
    this.db = DSL.using(dataSource, SQLDialect.POSTGRES);
  }

  // ---- reads ------------------------------------------------------------------------------

  public Optional<StoredResource> get(ResourceKind kind, String name) {
    return ResourceRows.find(db, kind, name).map(Row::stored);
  }

  public ResourcePage list(ResourceKind kind, Map<String, String> labels, String afterName, int limit) {
    List<Row> rows = ResourceRows.page(db, kind, labels, afterName, limit + 1);
    List<StoredResource> items = rows.stream().limit(limit).map(Row::stored).toList();
    Optional<String> next = rows.size() > limit ? Optional.of(items.getLast().resource().name()) : Optional.empty();
    return new ResourcePage(items, next);
  }

  /** The whole current config, without secrets, in the canonical order apply accepts. */
  public ConfigDocument dump() {
    return ConfigDocument.of(ResourceRows.all(db).stream().map(row -> row.resource()).toList());
  }

  /**
   * The latest revision and the config at it, consistent with each other (one repeatable-read
   * transaction), including certificate keys: what the control plane translates.
   */
  public ConfigSnapshot snapshot() {
    return db.transactionResult(c -> {
      DSLContext tx = c.dsl();
      tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      long revision = ConfigRevisions.latestId(tx);
      List<ConfigResource> resources = ResourceRows.all(tx).stream().map(ConfigStore::withSecret).toList();
      return new ConfigSnapshot(revision, ConfigDocument.of(resources));
    });
  }

  /**
   * The latest revision's config, built from {@code previous} plus what changed since: only the
   * resources written after it are read (from the revision history), so following a large config
   * costs in proportion to the change, not to the config. Consistent like {@link #snapshot()}.
   */
  public ConfigSnapshot snapshotAfter(ConfigSnapshot previous) {
    return db.transactionResult(c -> {
      DSLContext tx = c.dsl();
      tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      long revision = ConfigRevisions.latestId(tx);
      if (revision == previous.revision()) {
        return previous;
      }
      Map<ResourceKind, Map<String, Optional<ConfigResource>>> changes = new EnumMap<>(ResourceKind.class);
      for (ResourceRows.Changed change : ResourceRows.changedBetween(tx, previous.revision(), revision)) {
        changes.computeIfAbsent(change.kind(), k -> new TreeMap<>()).put(change.name(), change.row().map(ConfigStore::withSecret));
      }
      ConfigDocument before = previous.document();
      return new ConfigSnapshot(revision, new ConfigDocument(
          patched(before.certificates(), changes.get(ResourceKind.CERTIFICATE), Certificate.class),
          patched(before.protoDescriptorSets(), changes.get(ResourceKind.PROTO_DESCRIPTOR_SET), dev.embassy.config.model.ProtoDescriptorSet.class),
          patched(before.clusters(), changes.get(ResourceKind.CLUSTER), dev.embassy.config.model.Cluster.class),
          patched(before.authPolicies(), changes.get(ResourceKind.AUTH_POLICY), dev.embassy.config.model.AuthPolicy.class),
          patched(before.rateLimitPolicies(), changes.get(ResourceKind.RATELIMIT_POLICY), dev.embassy.config.model.RateLimitPolicy.class),
          patched(before.gateways(), changes.get(ResourceKind.GATEWAY), Gateway.class),
          patched(before.routes(), changes.get(ResourceKind.ROUTE), Route.class)));
    });
  }

  /**
   * A name-sorted list with the changes applied (present: put, empty: delete); the same list when
   * the kind did not change. Unchanged resources stay the same objects, which is what lets the
   * control plane tell what changed by identity.
   */
  private static <T extends ConfigResource> List<T> patched(List<T> sorted, Map<String, Optional<ConfigResource>> changes, Class<T> type) {
    if (changes == null) {
      return sorted;
    }
    List<T> result = new ArrayList<>(sorted.size() + changes.size());
    java.util.Iterator<Map.Entry<String, Optional<ConfigResource>>> pending = changes.entrySet().iterator();
    Map.Entry<String, Optional<ConfigResource>> next = pending.hasNext() ? pending.next() : null;
    for (T resource : sorted) {
      while (next != null && next.getKey().compareTo(resource.name()) < 0) {
        next.getValue().ifPresent(r -> result.add(type.cast(r)));
        next = pending.hasNext() ? pending.next() : null;
      }
      if (next != null && next.getKey().equals(resource.name())) {
        next.getValue().ifPresent(r -> result.add(type.cast(r)));
        next = pending.hasNext() ? pending.next() : null;
      } else {
        result.add(resource);
      }
    }
    while (next != null) {
      next.getValue().ifPresent(r -> result.add(type.cast(r)));
      next = pending.hasNext() ? pending.next() : null;
    }
    return result;
  }

  public long latestRevision() {
    return ConfigRevisions.latestId(db);
  }

  public Optional<ConfigRevision> revision(long id) {
    return ConfigRevisions.byId(db, id);
  }

  public List<ConfigRevision> revisions(long beforeId, int limit) {
    return ConfigRevisions.page(db, beforeId, limit);
  }

  /**
   * What changed from revision {@code from} to revision {@code to} (either may be older);
   * {@code from} 0 stands for the empty config before the first revision.
   */
  public List<ResourceDiff> diff(long from, long to) {
    if (from != 0) {
      requireRevision(from);
    }
    requireRevision(to);
    return diff(from == 0 ? Map.of() : byKey(ResourceRows.at(db, from)), byKey(ResourceRows.at(db, to)));
  }

  // ---- single-resource writes --------------------------------------------------------------

  /**
   * Creates a resource, validated against {@link CommittedConfig} instead of lookups in the store.
   * Creates from this process queue here, so that the one writing can usually send its whole
   * transaction in one round trip (lock, check that the config it validated against is still the
   * latest, write, commit: {@link CreateStatements#lockCheckCreateCommit}); when it is not, or the
   * create would be refused, it is decided again under the lock after catching up. The statements
   * of the eighteen round trips this replaces were most of a create's CPU (issue 13).
   */
  public WriteResult create(ConfigResource resource, String actor, String summary) {
    requireValid(ResourceValidator.validate(resource));
    Change change = Change.upsert(Change.Op.create, resource, ResourceCodec.secret(resource));
    String changesJson = changesJson(List.of(change));
    // The queue is only an optimisation (the write lock keeps writes serial): a create that waited
    // longer than the pool's connection timeout, as while Postgres is unreachable, goes on its own
    // instead of failing only after every create ahead of it has.
    if (!queue()) {
      return createUnderLock(resource, change, changesJson, actor, summary);
    }
    try {
      return createOnCurrentView(resource, change, changesJson, actor, summary)
          .orElseGet(() -> createUnderLock(resource, change, changesJson, actor, summary));
    } finally {
      localCreates.unlock();
    }
  }

  private boolean queue() {
    try {
      return localCreates.tryLock(2, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The create in one round trip, if the view is current and accepts it; empty to decide under the lock. */
  private Optional<WriteResult> createOnCurrentView(ConfigResource resource, Change change, String changesJson, String actor, String summary) {
    long parent;
    Set<String> claimKeys;
    synchronized (committed) {
      OptionalLong current = committed.current();
      // Refusals are only ever given under the lock, against the latest revision.
      if (current.isEmpty() || committed.exists(resource.kind(), resource.name())
          || !PresentedCertificates.presentsNone(resource)
          || !ConfigValidator.validate(resource, committed.with(resource)).isEmpty()) {
        return Optional.empty();
      }
      parent = current.getAsLong();
      claimKeys = claimKeys(resource);
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        ConfigRevision revision = CreateStatements.lockCheckCreateCommit(c, parent, actor, summary, changesJson, change, claimKeys);
        synchronized (committed) {
          committed.stage(parent, revision.id(), List.of(put(resource)));
          committed.committed(revision.id());
        }
        return Optional.of(created(resource, revision));
      } catch (RuntimeException | SQLException e) {
        rollback(c, e);
        if (e instanceof SQLException sql && CreateStatements.isStale(sql)) {
          return Optional.empty();
        }
        // Whether the commit at the end of the pipeline happened is unknown: start afresh.
        synchronized (committed) {
          committed.invalidate();
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw dataAccess("create " + resource.kind().pathSegment() + "/" + resource.name(), e);
    }
  }

  /** The create decided under the write lock, after catching up with the latest revision. */
  private WriteResult createUnderLock(ConfigResource resource, Change change, String changesJson, String actor, String summary) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      long staged = -1;
      try {
        long parent = CreateStatements.lockForWrite(c);
        Set<String> claimKeys;
        synchronized (committed) {
          committed.catchUp(DSL.using(c, SQLDialect.POSTGRES), parent);
          if (committed.exists(resource.kind(), resource.name())) {
            throw new StoreException.AlreadyExists(resource.kind(), resource.name());
          }
          requireValid(ConfigValidator.validate(resource, committed.with(resource)));
          DSLContext tx = DSL.using(c, SQLDialect.POSTGRES);
          requireValid(PresentedCertificates.withoutKey(resource, "", name -> keyless(tx, name)));
          claimKeys = claimKeys(resource);
        }
        ConfigRevision revision = CreateStatements.create(c, parent, actor, summary, changesJson, change, claimKeys);
        synchronized (committed) {
          committed.stage(parent, revision.id(), List.of(put(resource)));
          staged = revision.id();
        }
        c.commit();
        synchronized (committed) {
          committed.committed(revision.id());
        }
        return created(resource, revision);
      } catch (RuntimeException | SQLException e) {
        if (staged != -1) {
          synchronized (committed) {
            committed.invalidate();
          }
        }
        rollback(c, e);
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw dataAccess("create " + resource.kind().pathSegment() + "/" + resource.name(), e);
    }
  }

  /** The claims a route will hold once created (see {@link CommittedConfig#claimKeys}); none for other kinds. */
  private Set<String> claimKeys(ConfigResource resource) {
    return resource instanceof Route route ? committed.claimKeys(route, committed.gateway(route.gateway())) : Set.of();
  }

  private static CommittedConfig.Put put(ConfigResource resource) {
    return new CommittedConfig.Put(resource.kind(), resource.name(), Optional.of(withoutSecret(resource)));
  }

  private static WriteResult created(ConfigResource resource, ConfigRevision revision) {
    return new WriteResult(Optional.of(new StoredResource(withoutSecret(resource), revision.id())), Optional.of(revision));
  }

  private static void rollback(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException rollback) {
      cause.addSuppressed(rollback);
    }
  }

  /** As jOOQ reports SQL failures elsewhere in the store, so the API maps them the same way. */
  private static org.jooq.exception.DataAccessException dataAccess(String what, SQLException e) {
    return new org.jooq.exception.DataAccessException("SQL [" + what + "]; " + e.getMessage(), e);
  }

  /** Replaces a resource; {@code ifMatch} is the revision the caller read (If-Match). */
  public WriteResult replace(ConfigResource resource, OptionalLong ifMatch, String actor, String summary) {
    requireValid(ResourceValidator.validate(resource));
    return db.transactionResult(c -> {
      DSLContext tx = c.dsl();
      long parent = ConfigRevisions.lockForWrite(tx);
      Row current = ResourceRows.find(tx, resource.kind(), resource.name())
          .orElseThrow(() -> new StoreException.NotFound(resource.kind(), resource.name()));
      requireMatch(current, ifMatch);
      DatabaseView view = new DatabaseView(tx, resource);
      requireValid(ConfigValidator.validate(resource, view));
      requireValid(PresentedCertificates.withoutKey(resource, "", name -> keyless(tx, name)));
      if (resource instanceof Gateway gateway) {
        requireValid(dependentRouteErrors(gateway, ResourceRows.routesOf(tx, gateway.name()), ""));
      }
      // A certificate written without its key keeps the stored key: reads never return it.
      Optional<String> secret = ResourceCodec.secret(resource).or(current::secret);
      if (ResourceCodec.spec(resource).equals(ResourceCodec.spec(current.resource())) && secret.equals(current.secret())) {
        return new WriteResult(Optional.of(current.stored()), Optional.empty());
      }
      return commitOne(tx, parent, actor, summary, Change.upsert(Change.Op.update, resource, secret));
    });
  }

  public WriteResult delete(ResourceKind kind, String name, OptionalLong ifMatch, String actor, String summary) {
    return db.transactionResult(c -> {
      DSLContext tx = c.dsl();
      long parent = ConfigRevisions.lockForWrite(tx);
      Row current = ResourceRows.find(tx, kind, name).orElseThrow(() -> new StoreException.NotFound(kind, name));
      requireMatch(current, ifMatch);
      List<String> referrers = ResourceRows.referrers(tx, kind, name);
      if (!referrers.isEmpty()) {
        throw new StoreException.StillReferenced(kind, name, referrers);
      }
      return commitOne(tx, parent, actor, summary, Change.delete(kind, name));
    });
  }

  // ---- declarative apply and rollback ----------------------------------------------------

  /**
   * Makes the stored config equal to {@code document} in one transaction: creates and updates
   * what it lists and, with {@code prune}, deletes what it omits. A dry run reports the same
   * changes and writes nothing.
   */
  public ApplyResult apply(ConfigDocument document, boolean prune, boolean dryRun, String actor, String summary) {
    return apply(document, prune, dryRun, actor, summary, "apply");
  }

  /** Creates a new revision whose config equals that of revision {@code target}. */
  public ApplyResult rollback(long target, String actor) {
    requireRevision(target);
    List<ConfigResource> resources = ResourceRows.at(db, target).stream().map(ConfigStore::withSecret).toList();
    return apply(ConfigDocument.of(resources), true, false, actor, "rollback to revision " + target, "rollback");
  }

  private ApplyResult apply(ConfigDocument document, boolean prune, boolean dryRun, String actor, String summary, String operation) {
    List<FieldError> errors = new ArrayList<>();
    Map<ResourceKind, Map<String, ConfigResource>> submitted = new EnumMap<>(ResourceKind.class);
    Map<ConfigResource, String> pointers = new LinkedHashMap<>();
    for (ResourceKind kind : ResourceKind.values()) {
      List<? extends ConfigResource> list = document.resources(kind);
      Map<String, ConfigResource> byName = submitted.computeIfAbsent(kind, k -> new TreeMap<>());
      for (int i = 0; i < list.size(); i++) {
        ConfigResource resource = list.get(i);
        String pointer = "/" + kind.documentKey() + "/" + i;
        pointers.put(resource, pointer);
        errors.addAll(prefixed(pointer, ResourceValidator.validate(resource)));
        if (resource.name() != null && byName.putIfAbsent(resource.name(), resource) != null) {
          errors.add(new FieldError(pointer + "/name", "duplicate " + kind.pathSegment() + " name '" + resource.name() + "' in the document"));
        }
      }
    }
    requireValid(errors);

    return db.transactionResult(c -> {
      DSLContext tx = c.dsl();
      long parent = ConfigRevisions.lockForWrite(tx);
      Map<ResourceKind, Map<String, Row>> current = byKey(ResourceRows.all(tx));
      Map<ResourceKind, Map<String, ConfigResource>> desired = new EnumMap<>(ResourceKind.class);
      Map<String, Optional<String>> secrets = new TreeMap<>();
      for (ResourceKind kind : ResourceKind.values()) {
        Map<String, ConfigResource> resources = new TreeMap<>();
        if (!prune) {
          current.getOrDefault(kind, Map.of()).forEach((name, row) -> resources.put(name, row.resource()));
        }
        resources.putAll(submitted.get(kind));
        desired.put(kind, resources);
        current.getOrDefault(kind, Map.of()).forEach((name, row) -> secrets.put(kind + "/" + name, row.secret()));
      }

      MemoryView view = new MemoryView(desired, submitted.get(ResourceKind.ROUTE).keySet());
      List<FieldError> crossErrors = new ArrayList<>();
      pointers.forEach((resource, pointer) -> {
        crossErrors.addAll(prefixed(pointer, ConfigValidator.validate(resource, view)));
        crossErrors.addAll(PresentedCertificates.withoutKey(resource, pointer, name -> {
          // After the write: a submitted key, else the stored one (a write without a key keeps it).
          ConfigResource certificate = desired.get(ResourceKind.CERTIFICATE).get(name);
          return certificate != null && ((Certificate) certificate).privateKey().isEmpty()
              && secrets.getOrDefault(ResourceKind.CERTIFICATE + "/" + name, Optional.empty()).isEmpty();
        }));
        if (resource instanceof Gateway gateway && !prune) {
          List<ConfigResource> untouchedRoutes = desired.get(ResourceKind.ROUTE).values().stream()
              .filter(r -> ((Route) r).gateway().equals(gateway.name()) && !submitted.get(ResourceKind.ROUTE).containsKey(r.name()))
              .toList();
          crossErrors.addAll(dependentRouteErrors(gateway, untouchedRoutes, pointer));
        }
      });
      requireValid(crossErrors);

      List<Change> changes = new ArrayList<>();
      List<ResourceDiff> diffs = new ArrayList<>();
      for (ResourceKind kind : ResourceKind.values()) {
        Map<String, Row> before = current.getOrDefault(kind, Map.of());
        Map<String, ConfigResource> after = desired.get(kind);
        for (ConfigResource resource : after.values()) {
          Row old = before.get(resource.name());
          Optional<String> secret = ResourceCodec.secret(resource).or(() -> secrets.getOrDefault(kind + "/" + resource.name(), Optional.empty()));
          String spec = ResourceCodec.spec(resource);
          if (old == null) {
            changes.add(Change.upsert(Change.Op.create, resource, spec, secret));
            diffs.add(new ResourceDiff(kind, resource.name(), Change.Op.create, Optional.empty(), Optional.of(tree(spec))));
          } else if (!spec.equals(ResourceCodec.spec(old.resource())) || !secret.equals(old.secret())) {
            changes.add(Change.upsert(Change.Op.update, resource, spec, secret));
            diffs.add(new ResourceDiff(kind, resource.name(), Change.Op.update, Optional.of(tree(ResourceCodec.spec(old.resource()))), Optional.of(tree(spec))));
          }
        }
        for (Row old : before.values()) {
          if (!after.containsKey(old.resource().name())) {
            changes.add(Change.delete(kind, old.resource().name()));
            diffs.add(new ResourceDiff(kind, old.resource().name(), Change.Op.delete, Optional.of(tree(ResourceCodec.spec(old.resource()))), Optional.empty()));
          }
        }
      }
      if (dryRun || changes.isEmpty()) {
        return new ApplyResult(diffs, Optional.empty(), dryRun);
      }
      ConfigRevision revision = ConfigRevisions.append(tx, parent, actor, operation, summary, changesJson(changes));
      ResourceRows.write(tx, revision.id(), changes);
      return new ApplyResult(diffs, Optional.of(revision), false);
    });
  }

  // ---- helpers -----------------------------------------------------------------------------

  private WriteResult commitOne(DSLContext tx, long parent, String actor, String summary, Change change) {
    ConfigRevision revision = ConfigRevisions.append(tx, parent, actor, "write", summary, changesJson(List.of(change)));
    ResourceRows.write(tx, revision.id(), List.of(change));
    Optional<StoredResource> stored = change.after().map(r -> new StoredResource(withoutSecret(r), revision.id()));
    return new WriteResult(stored, Optional.of(revision));
  }

  /**
   * Routes that a gateway change would break: those naming a listener the new gateway lacks, and
   * routes that would start claiming the same listener, hostname and match (a listener a route
   * without one attaches to appears). Reported here, with the routes named, instead of surfacing
   * as a conflict in the claims table.
   */
  private static List<FieldError> dependentRouteErrors(Gateway gateway, List<ConfigResource> routes, String pointer) {
    List<FieldError> errors = new ArrayList<>();
    Set<String> listeners = new HashSet<>();
    dev.embassy.config.model.RouteAttachment.listeners(gateway).forEach(l -> listeners.add(l.name()));
    for (ConfigResource resource : routes) {
      Route route = (Route) resource;
      if (route.listener().isPresent() && !listeners.contains(route.listener().get())) {
        errors.add(new FieldError(pointer + "/listeners", "route " + route.name() + " uses listener " + route.listener().get() + ", which this change removes"));
      }
    }
    List<Route> attached = routes.stream().map(r -> (Route) r).filter(r -> r.listener().map(listeners::contains).orElse(true)).toList();
    dev.embassy.config.validate.RouteClaims.of(gateway, attached).forEach((key, claimants) -> {
      if (claimants.size() > 1) {
        errors.add(new FieldError(pointer + "/listeners", "routes " + String.join(" and ", claimants)
            + " would both serve the same listener, hostname and match (" + key + ")"));
      }
    });
    return errors;
  }

  private static void requireMatch(Row current, OptionalLong ifMatch) {
    if (ifMatch.isPresent() && ifMatch.getAsLong() != current.revision()) {
      throw new StoreException.PreconditionFailed(current.resource().kind(), current.resource().name(), current.revision());
    }
  }

  private void requireRevision(long id) {
    if (id <= 0 || ConfigRevisions.byId(db, id).isEmpty()) {
      throw new StoreException.NotFound("revision " + id);
    }
  }

  private static void requireValid(List<FieldError> errors) {
    if (!errors.isEmpty()) {
      throw new StoreException.Invalid(errors);
    }
  }

  private static List<FieldError> prefixed(String pointer, List<FieldError> errors) {
    return errors.stream().map(e -> new FieldError(pointer + e.pointer(), e.detail())).toList();
  }

  private static ConfigResource withSecret(Row row) {
    if (row.resource() instanceof Certificate certificate) {
      return new Certificate(certificate.name(), certificate.labels(), certificate.certificateChain(), row.secret());
    }
    return row.resource();
  }

  private static ConfigResource withoutSecret(ConfigResource resource) {
    return resource instanceof Certificate certificate ? certificate.withoutKey() : resource;
  }

  private static Map<ResourceKind, Map<String, Row>> byKey(List<Row> rows) {
    Map<ResourceKind, Map<String, Row>> map = new EnumMap<>(ResourceKind.class);
    for (Row row : rows) {
      map.computeIfAbsent(row.resource().kind(), k -> new TreeMap<>()).put(row.resource().name(), row);
    }
    return map;
  }

  private static List<ResourceDiff> diff(Map<ResourceKind, Map<String, Row>> from, Map<ResourceKind, Map<String, Row>> to) {
    List<ResourceDiff> diffs = new ArrayList<>();
    for (ResourceKind kind : ResourceKind.values()) {
      Map<String, Row> before = from.getOrDefault(kind, Map.of());
      Map<String, Row> after = to.getOrDefault(kind, Map.of());
      Set<String> names = new java.util.TreeSet<>(before.keySet());
      names.addAll(after.keySet());
      for (String name : names) {
        Optional<String> a = Optional.ofNullable(before.get(name)).map(r -> ResourceCodec.spec(r.resource()));
        Optional<String> b = Optional.ofNullable(after.get(name)).map(r -> ResourceCodec.spec(r.resource()));
        if (Objects.equals(a, b)) {
          continue;
        }
        Change.Op op = a.isEmpty() ? Change.Op.create : b.isEmpty() ? Change.Op.delete : Change.Op.update;
        diffs.add(new ResourceDiff(kind, name, op, a.map(ConfigStore::tree), b.map(ConfigStore::tree)));
      }
    }
    return diffs;
  }

  private static JsonNode tree(String json) {
    try {
      return ConfigJson.json().readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String changesJson(List<Change> changes) {
    ArrayNode array = ConfigJson.json().createArrayNode();
    for (Change change : changes) {
      ObjectNode entry = array.addObject();
      entry.put("kind", change.kind().pathSegment());
      entry.put("name", change.name());
      entry.put("op", change.op().name());
    }
    return array.toString();
  }

  /** Whether certificate {@code name} is stored without a private key. */
  private static boolean keyless(DSLContext tx, String name) {
    return ResourceRows.find(tx, ResourceKind.CERTIFICATE, name).map(row -> row.secret().isEmpty()).orElse(false);
  }
}
