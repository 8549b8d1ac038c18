package dev.embassy.auth.policy;

import com.google.re2j.Pattern;
import java.util.Set;

/** One condition of a policy's requirements, evaluated against an identity's claims. */
public sealed interface Requirement {
  boolean holds(Identity identity);

  /** A granted scope (RFC 6749 §3.3), from "scope" or "scp". */
  record Scope(String scope) implements Requirement {
    @Override
    public boolean holds(Identity identity) {
      return ClaimValues.scopes(identity.claims()).contains(scope);
    }
  }

  /** The claim's text form equals the value; arrays never equal a single value. */
  record ClaimEquals(String claim, String value) implements Requirement {
    @Override
    public boolean holds(Identity identity) {
      return ClaimValues.lookup(identity.claims(), claim)
          .filter(v -> !(v instanceof java.util.List<?>))
          .flatMap(ClaimValues::text).map(value::equals).orElse(false);
    }
  }

  /** The claim, an array or a space-separated string, has the value among its items. */
  record ClaimContains(String claim, String value) implements Requirement {
    @Override
    public boolean holds(Identity identity) {
      return ClaimValues.lookup(identity.claims(), claim).map(v -> ClaimValues.words(v).contains(value)).orElse(false);
    }
  }

  /** The claim's text form is one of the values. */
  record ClaimOneOf(String claim, Set<String> values) implements Requirement {
    public ClaimOneOf {
      values = Set.copyOf(values);
    }

    @Override
    public boolean holds(Identity identity) {
      return ClaimValues.lookup(identity.claims(), claim)
          .filter(v -> !(v instanceof java.util.List<?>))
          .flatMap(ClaimValues::text).map(values::contains).orElse(false);
    }
  }

  /** The claim's whole text form matches an RE2 expression (linear time, so no ReDoS). */
  record ClaimMatches(String claim, Pattern pattern) implements Requirement {
    @Override
    public boolean holds(Identity identity) {
      return ClaimValues.lookup(identity.claims(), claim).flatMap(ClaimValues::text).map(t -> pattern.matches(t)).orElse(false);
    }
  }
}
