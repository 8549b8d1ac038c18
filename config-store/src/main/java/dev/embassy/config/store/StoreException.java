package dev.embassy.config.store;

import dev.embassy.config.model.ResourceKind;
import dev.embassy.config.validate.FieldError;
import java.util.List;

/**
 * Why the store refused a request. Each case maps to one HTTP status at the API edge; the store
 * itself knows nothing of HTTP.
 */
public sealed class StoreException extends RuntimeException {
  private StoreException(String message) {
    super(message, null, false, false);
  }

  public static final class NotFound extends StoreException {
    public NotFound(ResourceKind kind, String name) {
      super(kind.pathSegment() + "/" + name + " does not exist");
    }

    public NotFound(String what) {
      super(what + " does not exist");
    }
  }

  public static final class AlreadyExists extends StoreException {
    public AlreadyExists(ResourceKind kind, String name) {
      super(kind.pathSegment() + "/" + name + " already exists; use PUT or PATCH to change it");
    }
  }

  /** If-Match named a revision other than the current one: someone else wrote in between. */
  public static final class PreconditionFailed extends StoreException {
    private final long currentRevision;

    public PreconditionFailed(ResourceKind kind, String name, long currentRevision) {
      super(kind.pathSegment() + "/" + name + " was changed by revision " + currentRevision + " since you read it");
      this.currentRevision = currentRevision;
    }

    public long currentRevision() {
      return currentRevision;
    }
  }

  public static final class StillReferenced extends StoreException {
    private final List<String> referrers;

    public StillReferenced(ResourceKind kind, String name, List<String> referrers) {
      super(kind.pathSegment() + "/" + name + " is still used by " + String.join(", ", referrers));
      this.referrers = List.copyOf(referrers);
    }

    public List<String> referrers() {
      return referrers;
    }
  }

  /** The submitted config is invalid; pointers locate each error in the submitted document. */
  public static final class Invalid extends StoreException {
    private final List<FieldError> errors;

    public Invalid(List<FieldError> errors) {
      super(errors.size() + " validation error(s), first: " + errors.getFirst().pointer() + " " + errors.getFirst().detail());
      this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
      return errors;
    }
  }
}
