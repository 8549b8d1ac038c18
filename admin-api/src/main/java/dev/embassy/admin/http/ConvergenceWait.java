package dev.embassy.admin.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.embassy.config.codec.ConfigJson;
import dev.embassy.config.model.DurationText;
import dev.embassy.config.store.ConfigRevision;
import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.store.ProxyStatuses;
import dev.embassy.config.store.Quarantines;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ?wait=5s} on a write: answer only once every connected proxy runs the new revision, or
 * when the wait runs out, saying who has not. Ends "200 OK but not applied": the caller learns
 * whether the change is live, not just stored. A written resource that the proxies rejected (and
 * the control plane keeps out of what they run, see the route quarantine) is named too: the
 * revision is applied, but without it.
 */
final class ConvergenceWait {
  static final Duration MAX_WAIT = Duration.ofSeconds(60);
  private static final long POLL_MILLIS = 25;

  private final ProxyStatuses statuses;
  private final Quarantines quarantines;

  /** The outcome of a wait: who runs the revision, and which written resources are kept out of it. */
  record Outcome(ProxyStatuses.Convergence convergence, List<Quarantines.Quarantined> quarantined) {}

  ConvergenceWait(ProxyStatuses statuses, Quarantines quarantines) {
    this.statuses = statuses;
    this.quarantines = quarantines;
  }

  /** Waits as the request asks and sets the convergence headers; empty when it asked for no wait. */
  Optional<Outcome> await(Context ctx, Optional<ConfigRevision> revision, Collection<Map.Entry<ResourceKind, String>> written) {
    String wait = ctx.queryParam("wait");
    if (wait == null) {
      return Optional.empty();
    }
    Duration timeout = DurationText.parse(wait).filter(d -> d.compareTo(MAX_WAIT) <= 0).orElseThrow(() ->
        new ApiProblem(400, "Bad request", "wait must be a duration of at most 60s, such as 500ms or 5s"));
    if (revision.isEmpty()) {
      return Optional.empty();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    ProxyStatuses.Convergence convergence = statuses.convergence(revision.get().id());
    while (!convergence.complete() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      convergence = statuses.convergence(revision.get().id());
    }
    ctx.header("Embassy-Applied", convergence.applied() + "/" + convergence.total());
    if (!convergence.complete()) {
      ctx.header("Embassy-Pending-Proxies", String.join(",", convergence.pending().stream().limit(20).toList()));
    }
    List<Quarantines.Quarantined> quarantined = quarantines.all().stream()
        .filter(q -> written.contains(Map.entry(q.kind(), q.name()))).toList();
    if (!quarantined.isEmpty()) {
      ctx.header("Embassy-Quarantined", String.join(",", quarantined.stream().limit(20).map(q -> q.kind().pathSegment() + "/" + q.name()).toList()));
    }
    return Optional.of(new Outcome(convergence, quarantined));
  }

  /** Adds a "convergence" object to a JSON answer. */
  static void describe(ObjectNode body, Outcome outcome) {
    ProxyStatuses.Convergence convergence = outcome.convergence();
    ObjectNode node = body.putObject("convergence");
    node.put("revision", convergence.revision());
    node.put("applied", convergence.applied());
    node.put("total", convergence.total());
    node.put("complete", convergence.complete());
    var pending = node.putArray("pending");
    convergence.pending().forEach(pending::add);
    var quarantined = node.putArray("quarantined");
    outcome.quarantined().forEach(q -> quarantined.add(QuarantineJson.of(q)));
  }

  static ObjectNode appliedOn(ProxyStatuses.Convergence convergence) {
    ObjectNode node = ConfigJson.json().createObjectNode();
    node.put("applied", convergence.applied());
    node.put("total", convergence.total());
    return node;
  }
}
